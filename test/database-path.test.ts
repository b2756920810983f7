import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from './support/run-main.js';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
/** As root, the permission case runs as `nobody` (uid 65534), who must be able to read the project and its packages. */
const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : null;
const nobodyCannotRead = nobody !== null && !readableBy(nobody, [join(root, 'src/cli.ts'), new URL(import.meta.resolve('tsx')).pathname]);
if (nobodyCannotRead) console.warn('Skipping the unwritable-folder case: the tests run as root and an unprivileged user (uid 65534) cannot read this checkout (it sits in a private folder); clone it into a folder others may read to run it.');
const commands = [['start'], ['chat'], ['doctor'], ['members'], ['show', 'console:local:sam'], ['export', 'console:local:sam'], ['align'], ['reembed']];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-path-'));
  // Readable by everyone, so the permission case can run as an unprivileged user.
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[], databasePath: string) => runMain(args, { DATABASE_PATH: databasePath, OLLAMA_HOST: 'http://127.0.0.1:9', LOG_LEVEL: 'silent' });

/** Every command fails with exit 1 and these lines, and no stack trace. */
async function expectEveryCommand(databasePath: string, lines: Array<string | RegExp>): Promise<void> {
  for (const args of commands) {
    const result = await cli(args, databasePath);
    expect(result.code, args[0]).toBe(1);
    expect(result.stderr, args[0]).toMatch(/^persona-bot cannot use its database:/);
    for (const line of lines) expect(result.stderr, args[0]).toMatch(line);
    expect(result.stderr, args[0]).not.toMatch(/^\s+at /m);
  }
}

describe('an unusable DATABASE_PATH is named, explained and fixable, for every command', () => {
  it('is a directory (a Docker bind mount of a missing file)', async () => {
    const path = join(dir, 'mounted.db');
    mkdirSync(path);
    await expectEveryCommand(path, [
      `DATABASE_PATH=${path} is a directory`,
      `Fix: point DATABASE_PATH at a file inside it, e.g. DATABASE_PATH=${join(path, 'persona-bot.db')}`,
      /With Docker .* mount the folder instead/,
    ]);
  });

  it('has a file where its folder should be', async () => {
    const blocker = join(dir, 'data');
    writeFileSync(blocker, 'not a folder');
    await expectEveryCommand(join(blocker, 'db', 'persona-bot.db'), [`${blocker} is a file, not a folder`, `Fix: move or rename ${blocker}`]);
  });

  it('is a file that is not a SQLite database', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'These are notes, not a database. '.repeat(200));
    await expectEveryCommand(path, [`DATABASE_PATH=${path}`, 'is a file but not a SQLite database', 'Fix: point DATABASE_PATH at']);
  });

  it('leaves nothing opening in the background when start-up fails: the console log file is open before the database is tried', async () => {
    const folder = mkdtempSync(join(dir, 'fresh-'));
    const path = join(folder, 'notes.txt');
    writeFileSync(path, 'These are notes, not a database. '.repeat(200));
    const result = await cli(['chat'], path);
    expect(result.code).toBe(1);
    // Opened in the background, the file would appear only after this test, and fail once its folder is removed.
    expect(existsSync(join(folder, 'persona-bot.log'))).toBe(true);
  });

  it.skipIf(nobodyCannotRead)('sits in a folder the bot may not write (run as an unprivileged user when tests run as root)', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(locked, 0o555);
    const asUser = nobody ?? {};
    const spawnCli = async (args: string[], databasePath: string) => {
      const env = { PATH: process.env.PATH, HOME: dir, DATABASE_PATH: databasePath, OLLAMA_HOST: 'http://127.0.0.1:9' };
      try {
        await run(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), ...args], { cwd: dir, env, timeout: 60_000, ...asUser });
        return { code: 0, stderr: '' };
      } catch (error) {
        return error as { code: number; stderr: string };
      }
    };
    const [start, doctor, nested] = await Promise.all([
      spawnCli(['start'], join(locked, 'persona-bot.db')),
      spawnCli(['doctor'], join(locked, 'persona-bot.db')),
      spawnCli(['members'], join(locked, 'sub', 'persona-bot.db')),
    ]);
    for (const result of [start, doctor]) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot write in ${locked}, the folder of DATABASE_PATH=${join(locked, 'persona-bot.db')} (EACCES)`);
      expect(result.stderr).toMatch(/Fix: let .* write there/);
      expect(result.stderr).toContain('sudo chown -R 1000:1000');
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
    expect(nested.code).toBe(1);
    expect(nested.stderr).toContain(`Cannot create ${join(locked, 'sub')}, the folder of DATABASE_PATH=${join(locked, 'sub', 'persona-bot.db')}: ${locked} is not writable`);
  }, 90_000);
});

function readableBy(user: { uid: number; gid: number }, paths: string[]): boolean {
  try {
    execFileSync(process.execPath, ['-e', `for (const path of ${JSON.stringify(paths)}) require('node:fs').accessSync(path)`], { ...user, stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}
