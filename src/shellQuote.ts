/** POSIX single quotes: every byte literal, a quote as '\''. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A word of a command shown to be pasted: as it is when a shell takes it as it is, else quoted. */
export function shellWord(arg: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(arg) ? arg : shellQuote(arg);
}
