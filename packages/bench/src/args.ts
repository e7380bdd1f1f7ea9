// Options of a bench section (`npm run bench -- node-death --runs 3`).

/** The whole number after `flag` in argv (>= 1), or `dflt` when the flag is absent. */
export function countFlag(argv: readonly string[], flag: string, dflt: number): number {
  const i = argv.indexOf(flag);
  if (i < 0) return dflt;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: Invalid value: "${argv[i + 1] ?? ''}": must be a whole number >= 1`);
  return n;
}
