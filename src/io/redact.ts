/**
 * URLs as logs show them: a broker's or a device's address without its secrets.
 */

/** Query parameters whose values are never logged. */
const SECRET_PARAM = /token|key|pass|pwd|secret|auth|sig|session|credential/i;

/** The URL for logs: userinfo and secret-looking query values replaced by ***; an unparseable one is not shown. */
export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '(invalid URL)';
  }
  const search = u.search === '' ? '' : '?' + u.search.slice(1).split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    return eq >= 0 && SECRET_PARAM.test(decodeSafe(name)) ? `${name}=***` : part;
  }).join('&');
  const userinfo = u.username !== '' || u.password !== '' ? '***@' : '';
  return `${u.protocol}//${userinfo}${u.host}${u.pathname}${search}${u.hash}`;
}

/** decodeURIComponent, or the text as it is when it does not decode. */
export function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
