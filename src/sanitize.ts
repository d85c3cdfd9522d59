/**
 * Strings from the system (process names, cmdlines, cgroup paths, interface
 * names, host names) are hostile: a process can name itself `\x1b]0;pwned\x07`
 * or `\x1b[2J`. Before anything reaches the terminal, every C0/C1 control
 * character, DEL, and the Unicode controls that reorder or hide text are
 * replaced by a visible escape, so the watcher sees `\x1b[2J` instead of a
 * cleared screen.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2069\ufeff]/g;

export function safeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** /proc/PID/cmdline separates arguments with NUL; show them with spaces. */
export function safeCmdline(raw: string): string {
  return safeText(raw.replace(/\0+$/, '').replace(/\0/g, ' '));
}
