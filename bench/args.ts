/** Walks command-line flags; `value()` takes the next word as the flag's value or says it is missing. */
export function forEachFlag(argv: readonly string[], handle: (flag: string, value: () => string) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    handle(flag, () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    });
  }
}
