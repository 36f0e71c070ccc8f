// Why a file-system call failed, in a few words, for one-line errors: the same wording
// wherever mailrec reads or writes a file.

export function describeFsError(error: unknown): string {
  const e = error as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    case 'ENAMETOOLONG':
      return 'file name too long';
    case 'ENXIO':
      return 'no such device or address';
    case 'EIO':
      return 'input/output error';
    case 'EEXIST':
      return 'already exists';
    case 'EBUSY':
      return 'device or resource busy';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
