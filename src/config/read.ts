/** Small readers shared by the config parsers: each reports a problem naming the field and falls back. */

export interface ConfigProblem {
  /** 'error': a zone was skipped; 'warn': a default or a clamp was used. */
  level: 'error' | 'warn';
  message: string;
}

export interface NumberSpec {
  min: number;
  max: number;
  def: number;
  unit: string;
  integer?: boolean;
}

export type Dict = Record<string, unknown>;

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function show(v: unknown): string {
  if (typeof v === 'string') {
    return JSON.stringify(v);
  }
  if (v === undefined) {
    return 'nothing';
  }
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function get(obj: Dict, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    cur = isDict(cur) ? cur[part] : undefined;
  }
  return cur;
}

function range(spec: NumberSpec): string {
  const unit = spec.unit ? ` ${spec.unit}` : '';
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}${unit}`;
}

/** Reads one number, reporting a missing-typed or out-of-range value and using the default. */
export function readNumber(obj: Dict, path: string, spec: NumberSpec, where: string, problems: ConfigProblem[]): number {
  const v = get(obj, path);
  if (v === undefined || v === null || v === '') {
    return spec.def;
  }
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= spec.min && v <= spec.max
    && (!spec.integer || Number.isInteger(v));
  if (!ok) {
    problems.push({
      level: 'warn',
      message: `${where}: ${path} must be ${range(spec)}, got ${show(v)}; using ${spec.def}`,
    });
    return spec.def;
  }
  return v as number;
}

export function readBoolean(obj: Dict, key: string, def: boolean, where: string, problems: ConfigProblem[]): boolean {
  const v = obj[key];
  if (v === undefined || v === null) {
    return def;
  }
  if (typeof v !== 'boolean') {
    problems.push({ level: 'warn', message: `${where}: ${key} must be true or false, got ${show(v)}; using ${def}` });
    return def;
  }
  return v;
}

/**
 * Reads one of a few text choices; anything else gets a line (`field` names the zone and field)
 * and the default. Missing or empty gives the default quietly.
 */
export function readOneOf<T extends string>(
  obj: Dict, key: string, choices: readonly T[], def: T, field: string, problems: ConfigProblem[],
): T {
  const v = obj[key];
  if (v === undefined || v === null || v === '') {
    return def;
  }
  if ((choices as readonly unknown[]).includes(v)) {
    return v as T;
  }
  const quoted = choices.map((c) => `"${c}"`);
  const allowed = quoted.length === 2 ? `${quoted[0]} or ${quoted[1]}` : `one of ${quoted.join(', ')}`;
  problems.push({ level: 'warn', message: `${field} must be ${allowed}, got ${show(v)}; using "${def}"` });
  return def;
}
