import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Why DATABASE_PATH cannot be used. */
export type DatabasePathProblem = 'IS_DIRECTORY' | 'PARENT_IS_FILE' | 'NOT_WRITABLE' | 'NOT_A_DATABASE' | 'CANNOT_OPEN';

/** A DATABASE_PATH the bot cannot use: which path, what is wrong and how to fix it. Printed without a stack trace. */
export class DatabasePathError extends Error {
  readonly code = 'DATABASE_PATH';

  constructor(
    readonly problem: DatabasePathProblem,
    readonly path: string,
    message: string,
  ) {
    super(`persona-bot cannot use its database:\n${message.replace(/^/gm, '  ')}`);
    this.name = 'DatabasePathError';
  }
}

const DOCKER_DIRECTORY_HINT =
  'With Docker this usually means a bind mount named a file that did not exist on the host, so Docker created a directory there: mount the folder instead (-v ./data:/data) and keep DATABASE_PATH=/data/persona-bot.db.';
const dockerOwnerHint = (folder: string) =>
  `With Docker the bot runs as the \`node\` user (uid 1000): make the host folder mounted at ${folder} writable by it (\`sudo chown -R 1000:1000 ./data\` for -v ./data:/data), or use a named volume; a mount ending in \`:ro\` is read-only.`;

/**
 * Makes sure `path` can hold the database before SQLite opens it: creates its folder, and throws a
 * DatabasePathError naming the path, the problem and the fix when it is a directory, sits under a
 * file, or its folder or file cannot be written.
 */
export function prepareDatabasePath(path: string): void {
  if (path === ':memory:') return;
  const file = resolve(path);
  const folder = dirname(file);
  const existing = statOrNull(file);
  if (existing?.isDirectory()) {
    throw new DatabasePathError('IS_DIRECTORY', path, [
      `DATABASE_PATH=${path} is a directory (${file}), not a database file.`,
      `Fix: point DATABASE_PATH at a file inside it, e.g. DATABASE_PATH=${join(path, 'persona-bot.db')}.`,
      DOCKER_DIRECTORY_HINT,
    ].join('\n'));
  }
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw folderError(path, folder, error);
  }
  try {
    accessSync(folder, constants.W_OK | constants.X_OK);
    if (existing) accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw notWritable(path, existing && isWritable(folder) ? { kind: 'file', path: file } : { kind: 'folder', path: folder }, folder, error);
  }
}

/** Turns SQLite's failure to open or set up the file into a DatabasePathError; other errors are returned as they are. */
export function databaseOpenError(path: string, error: unknown): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^SQLITE_(CANTOPEN|READONLY|NOTADB|PERM|IOERR)/.test(code)) return error;
  const file = resolve(path);
  if (code === 'SQLITE_NOTADB') {
    return new DatabasePathError('NOT_A_DATABASE', path, [
      `DATABASE_PATH=${path} (${file}) is a file but not a SQLite database.`,
      'Fix: point DATABASE_PATH at the bot\'s database, or at a new file name (it is created on first start).',
    ].join('\n'));
  }
  if (/^SQLITE_(READONLY|PERM)/.test(code)) return notWritable(path, { kind: 'file', path: file }, dirname(file), error);
  return new DatabasePathError('CANNOT_OPEN', path, [
    `SQLite cannot open DATABASE_PATH=${path} (${file}): ${(error as Error).message} (${code}).`,
    `Fix: check that ${dirname(file)} exists, is a folder, and is writable by this user, or set DATABASE_PATH to another file.`,
  ].join('\n'));
}

function folderError(path: string, folder: string, error: unknown): DatabasePathError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const blocker = firstFileOnTheWay(folder);
    return new DatabasePathError('PARENT_IS_FILE', path, [
      `The folder for DATABASE_PATH=${path} cannot be created: ${blocker} is a file, not a folder.`,
      `Fix: move or rename ${blocker}, or set DATABASE_PATH to a file in another folder.`,
      'With Docker, check that the host side of the bind mount for the database folder is a folder, not a file.',
    ].join('\n'));
  }
  return notWritable(path, { kind: 'parent', path: nearestExisting(folder) }, folder, error);
}

/** Which path could not be written: the database's folder, the file itself, or the existing folder a missing one would be created in. */
type Unwritable = { kind: 'folder' | 'file' | 'parent'; path: string };

function notWritable(path: string, target: Unwritable, folder: string, error: unknown): DatabasePathError {
  const code = (error as { code?: string }).code ?? 'EACCES';
  const user = typeof process.getuid === 'function' ? `uid ${process.getuid()}` : 'the user running the bot';
  const what = {
    folder: `Cannot write in ${folder}, the folder of DATABASE_PATH=${path} (${code}).`,
    file: `Cannot write ${target.path}, the file of DATABASE_PATH=${path} (${code}).`,
    parent: `Cannot create ${folder}, the folder of DATABASE_PATH=${path}: ${target.path} is not writable (${code}).`,
  }[target.kind];
  return new DatabasePathError('NOT_WRITABLE', path, [
    what,
    'SQLite writes the database and its -wal and -shm files in that folder.',
    code === 'EROFS'
      ? 'Fix: that file system is read-only; set DATABASE_PATH to a file in a writable folder.'
      : `Fix: let ${user} write there (chown or chmod), or set DATABASE_PATH to a file in a writable folder.`,
    dockerOwnerHint(target.kind === 'parent' ? target.path : folder),
  ].join('\n'));
}

/** The first path on the way to `folder` that exists but is not a directory. */
function firstFileOnTheWay(folder: string): string {
  let current = folder;
  let blocker = folder;
  for (;;) {
    const stat = statOrNull(current);
    if (stat && !stat.isDirectory()) blocker = current;
    const parent = dirname(current);
    if (parent === current) return blocker;
    current = parent;
  }
}

/** The nearest folder on the way up from `folder` that exists (the one a new folder would be created in). */
function nearestExisting(folder: string): string {
  let current = folder;
  while (!statOrNull(current) && dirname(current) !== current) current = dirname(current);
  return current;
}

function isWritable(folder: string): boolean {
  try {
    accessSync(folder, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
