/** One file of an archive. */
export interface TarEntry {
  name: string;
  data: Buffer;
  mtimeMs: number;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/**
 * A POSIX ustar archive of regular files, mode 0600, owned by root: the
 * few fields a bundle needs, written by hand rather than by a process (the
 * archive goes into a file opened 0600 without following links, which `tar`
 * would not promise). Names are ASCII and under 100 bytes here.
 */
export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const header = Buffer.alloc(BLOCK, 0);
    header.write(e.name.slice(0, 99), 0, 'ascii');
    header.write(octal(0o600, 8), 100, 'ascii');
    header.write(octal(0, 8), 108, 'ascii');
    header.write(octal(0, 8), 116, 'ascii');
    header.write(octal(e.data.length, 12), 124, 'ascii');
    header.write(octal(Math.floor(e.mtimeMs / 1000), 12), 136, 'ascii');
    header.write('        ', 148, 'ascii');
    header.write('0', 156, 'ascii');
    header.write('ustar\u000000', 257, 'ascii');
    header.write('root', 265, 'ascii');
    header.write('root', 297, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    parts.push(header, e.data, Buffer.alloc((BLOCK - (e.data.length % BLOCK)) % BLOCK, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return Buffer.concat(parts);
}
