import { closeSync, constants, fchmodSync, openSync } from 'node:fs';

export class PrivateFileError extends Error {}

/**
 * Creates a file only its owner can read (0600), never through what is
 * already at the path: O_EXCL refuses an existing file and, with O_CREAT,
 * a symbolic link planted there (dangling or not); O_NOFOLLOW says so
 * again for kernels and filesystems that would not. Returns the descriptor.
 */
export function createPrivateFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EEXIST' || e.code === 'ELOOP') throw new PrivateFileError(`${path} already exists: nettriage neither overwrites a file nor follows a link; remove it or choose another path`);
    throw new PrivateFileError(`cannot create ${path}: ${e.message}`);
  }
  try {
    // A umask never widens the mode, but a default ACL can: say 0600 again.
    fchmodSync(fd, 0o600);
  } catch (error) {
    closeSync(fd);
    throw new PrivateFileError(`cannot make ${path} private: ${(error as Error).message}`);
  }
  return fd;
}
