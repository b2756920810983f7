import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOllama } from './fakes/fake-ollama.js';
import { runMain } from './support/run-main.js';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
// Run from an empty folder so a developer's .env in the repository never leaks into these runs.
const node = (args: string[]) => ['--import', import.meta.resolve('tsx'), join(root, 'src/cli.ts'), ...args];
let ollama: FakeOllama;
let dir: string;
/** The console member the chat test created, for the tests after it. */
let memberKey = '';

/** The settings every run here starts from. */
function settings(): Record<string, string> {
  return { DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false', LOG_LEVEL: 'silent' };
}

/** Runs the CLI as a member would; resolves with exit code and output instead of throwing. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, node(args), {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  ollama = await FakeOllama.start();
  dir = mkdtempSync(join(tmpdir(), 'persona-bot-cli-'));
});
afterAll(async () => {
  await ollama.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each command is a new Node process compiling TypeScript: seconds apiece on a busy machine.
describe('start-up failures', { timeout: 60_000 }, () => {
  it('stops with one clear message and no stack trace when Ollama is not reachable', async () => {
    const result = await cli(['start'], { OLLAMA_HOST: 'http://127.0.0.1:9' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Ollama is not reachable at http://127.0.0.1:9');
    expect(result.stderr).toContain('ollama serve');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the exact pull command when the model is missing', async () => {
    const result = await cli(['start'], { OLLAMA_MODEL: 'qwen9:1b' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Run: ollama pull qwen9:1b');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('lists every bad setting', async () => {
    const result = await cli(['doctor'], { MEMORY_TOP_K: 'zero', OLLAMA_HOST: 'not a host' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MEMORY_TOP_K');
    expect(result.stderr).toContain('OLLAMA_HOST');
  });
});

describe('tools', { timeout: 120_000 }, () => {
  it('doctor reports each check', async () => {
    const result = await cli(['doctor']);
    expect(result.stdout).toContain('✓ ollama: reachable');
    expect(result.stdout).toContain('✓ embeddings: test-embed, 64 dimensions');
    expect(result.code).toBe(0);
  });

  it('takes OLLAMA_HOST as host:port without a scheme, as Ollama does', async () => {
    const bare = ollama.url.replace(/^http:\/\//, '');
    const result = await runMain(['doctor'], { ...settings(), OLLAMA_HOST: bare });
    expect(result.stdout).toContain(`✓ ollama: reachable at http://${bare}`);
    expect(result.code).toBe(0);
  });

  it('chats through stdin, then members, show --json and export see the conversation', async () => {
    const chat = execFile(process.execPath, node(['chat']), {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: dir, USER: 'sam', DATABASE_PATH: join(dir, 'bot.db'), OLLAMA_HOST: ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'test-embed', WIKIPEDIA_ENABLED: 'false' },
    });
    let printed = '';
    chat.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    chat.stdin!.end('what is my favourite number?\n/down\n/reply seven\n');
    const code = await new Promise((resolve) => chat.on('exit', resolve));
    expect(code).toBe(0);
    expect(printed).toContain('bot> answer: what is my favourite number?');

    const members = await cli(['members']);
    const key = /^(console:local:\S+)/m.exec(members.stdout)?.[1];
    expect(key).toBeDefined();
    const shown = JSON.parse((await cli(['show', key!, '--json'])).stdout);
    expect(shown.recent[0]).toMatchObject({ question: 'what is my favourite number?', groundTruth: 'seven', feedback: 'negative_corrected' });
    const exported = JSON.parse((await cli(['export', key!])).stdout);
    expect(exported.tables.interactions).toHaveLength(1);
    memberKey = key!;
    expect((await cli(['show', 'nobody'])).stderr).toContain('platform:workspace:user');

    ollama.respond((body) => {
      if (!body.format) return undefined;
      const judging = JSON.stringify(body.format).includes('"scores"');
      const items = body.messages[0]!.content.match(/^Item \d+$/gm)?.length ?? 0;
      return { content: JSON.stringify(judging ? { scores: Array(items).fill(4) } : { persona: 'Sam counts in sevens. Call search_memory first.' }) };
    });
    const aligned = await cli(['align']);
    expect(aligned.code).toBe(0);
    const held = 'checked on the batch \\(too few labelled answers to hold any out: 1 labelled, 6 needed\\)';
    const calls = '\\d+ model calls \\(profile \\d+, replay \\d+, feedback 1, rewrite 1, judge 1\\)';
    expect(aligned.stdout).toMatch(new RegExp(`^${key}: accepted \\(learned from 1 labelled answer; ${held}, score 0\\.40 → 0\\.40\\); ${calls}`, 'm'));
    expect(aligned.stdout).toContain('1 members: 1 rewritten, 0 kept, 0 failed.');
    expect(JSON.parse((await cli(['show', key!, '--json'])).stdout).persona).toMatchObject({ reason: 'aligned', text: 'Sam counts in sevens. Call search_memory first.' });
    expect((await cli(['align'])).stdout).toContain('No member has new ground truth');
  });

  it('export --out says where it wrote and how much, and why it could not', async () => {
    const out = join(dir, 'export.json');
    const written = await runMain(['export', memberKey, '--out', out], settings());
    expect(written.code).toBe(0);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    expect(exported.tables.interactions).toHaveLength(1);
    expect(written.stdout.trim()).toBe(`Wrote ${out}: 1 member, 1 interaction, ${exported.tables.persona_versions.length} persona versions, ${statSync(out).size.toLocaleString('en')} bytes.`);
    const missing = join(dir, 'no-such-folder', 'export.json');
    const refused = await runMain(['export', memberKey, '--out', missing], settings());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Cannot write ${missing}: ENOENT.`);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
  });

  it('refuses a different embedding model at start-up until reembed has run', async () => {
    ollama.models.push('other-embed:latest');
    const refused = await cli(['start'], { OLLAMA_EMBED_MODEL: 'other-embed' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('embedded with test-embed');
    expect(refused.stderr).toContain('npm run cli -- reembed');
    const reembedded = await cli(['reembed'], { OLLAMA_EMBED_MODEL: 'other-embed' });
    expect(reembedded.stdout).toContain('Re-embedded 1 memories with other-embed');
    expect((await cli(['doctor'], { OLLAMA_EMBED_MODEL: 'other-embed' })).code).toBe(0);
  });
});
