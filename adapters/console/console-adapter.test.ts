import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventSink } from '../../src/core/ports.js';
import { buildCore } from '../../src/main.js';
import { createTestBot, type TestBot } from '../../test/support/harness.js';
import { startConsole } from './console-adapter.js';

let t: TestBot;
const me = { platform: 'console', workspaceId: 'local', userId: 'sam' } as const;

beforeEach(async () => {
  t = await createTestBot();
});
afterEach(async () => t.close());

/** Types the lines into a console session on the real bot and returns what it printed. */
async function converse(lines: string[], sink: EventSink = t.bot, options: { typedAhead?: boolean } = {}): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  const session = startConsole({ sink, member: me, input, output });
  // Typed ahead: every line arrives before the first is answered, as when a member types while the bot writes.
  if (options.typedAhead) input.write(lines.map((line) => `${line}\n`).join(''));
  else for (const line of lines) input.write(`${line}\n`);
  input.end();
  await session.done;
  return printed;
}

describe('console chat', () => {
  it('asks, 👎s, corrects and shows the labelled answer in /persona', async () => {
    t.ollama.script({ content: 'Paris' });
    const printed = await converse(['where should I travel?', '/down', '/reply Lisbon, always Lisbon', '/persona']);
    expect(printed).toContain('bot> Paris');
    expect(printed).toContain('Reply to it with the right answer');
    expect(printed).toContain('type /reply <the right answer> to correct it');
    expect(printed).toContain('bot reacted ✅');
    expect(printed).toMatch(/right answer: Lisbon, always Lisbon/);
    expect(t.store.listInteractions(me)[0]).toMatchObject({ question: 'where should I travel?', answer: 'Paris', groundTruth: 'Lisbon, always Lisbon', feedback: 'negative_corrected' });
  });

  it('names the question an answer is for when more questions were typed after it, and only then', async () => {
    t.ollama.script({ content: 'brie' }, { content: 'rye' }, { content: 'earl grey' });
    const ahead = await converse(['a cheese for a picnic that travels well in the heat?', 'bread?'], t.bot, { typedAhead: true });
    expect(ahead).toContain('bot (to "a cheese for a picnic that travels well…")> brie');
    expect(ahead).toContain('\nbot> rye');
    const oneByOne = await converse(['tea?']);
    expect(oneByOne).toContain('\nbot> earl grey');
  });

  it('takes a correction typed before the 👎, 👍, /undo and /edit', async () => {
    t.ollama.script({ content: 'tea' }, { content: 'jazz' });
    const printed = await converse(['drink?', '/reply coffee', '/down', '/edit espresso', 'music?', '/up', '/undo']);
    // The correction is already there: the 👎 echo does not ask for one.
    expect(printed).toContain('(you reacted 👎 to the last answer)\n');
    const [music, drink] = t.store.listInteractions(me);
    expect(drink).toMatchObject({ groundTruth: 'espresso', feedback: 'negative_corrected' });
    expect(music).toMatchObject({ feedback: 'none', groundTruth: null });
  });

  it('explains unknown commands and commands with nothing to act on, and stores nothing', async () => {
    const printed = await converse(['/down', '/reply x', '/frobnicate']);
    expect(printed).toContain('There is no answer to react to yet.');
    expect(printed).toContain('There is no answer to reply to yet.');
    expect(printed).toContain('Unknown command /frobnicate');
    expect(t.store.listMembers()).toHaveLength(0);
  });

  it('keeps sessions on one database apart: after a restart a question is answered and a reply lands on its own answer', async () => {
    t.ollama.script({ content: 'Paris' }, { content: 'Rome' });
    await converse(['where should I travel?']);
    const restarted = buildCore(t.config, pino({ level: 'silent' }));
    let printed: string;
    try {
      printed = await converse(['where should I eat?', '/down', '/reply Naples'], restarted.bot);
    } finally {
      restarted.close();
    }
    expect(printed).toContain('bot> Rome');
    const [eat, travel] = t.store.listInteractions(me);
    expect(eat).toMatchObject({ question: 'where should I eat?', answer: 'Rome', groundTruth: 'Naples', feedback: 'negative_corrected' });
    expect(travel).toMatchObject({ question: 'where should I travel?', answer: 'Paris', groundTruth: null, feedback: 'none' });
  });

  it('echoes a /down or /up only when it counted, and says why when the bot ignored it', async () => {
    t.ollama.script({ content: 'tea' });
    const tooLong = 'x'.repeat(t.config.MAX_MESSAGE_CHARS + 1);
    const printed = await converse([tooLong, '/down', '/undo', 'drink?', '/down', '/reply coffee', '/up', '/persona forget confirm', '/undo', '/down']);
    const lines = printed.split('\n');
    // Only the 👎 on the real answer counted; the 👎 on a refusal, the 👍 after the correction and the 👎 after forget did not.
    expect(lines.filter((line) => line.startsWith('(you reacted'))).toEqual(['(you reacted 👎 to the last answer; type /reply <the right answer> to correct it)']);
    expect(lines.filter((line) => line.startsWith('(your'))).toEqual([
      '(your 👎 did not count: that message is not one of my answers to a question of yours that I still keep)',
      '(your 👍 did not count: that answer already has your correction; take back your 👎 first if it was right after all)',
      '(your 👎 did not count: that message is not one of my answers to a question of yours that I still keep)',
    ]);
    expect(printed).toContain('There is no reaction to take back.');
    expect(printed).toContain('Done. I deleted 1 interactions');
    expect(lines).toContain('(taking back 👎 changed nothing: that message is not one of my answers to a question of yours that I still keep)');
    expect(lines).not.toContain('(you took back 👎)');
  });

  it('takes no 👍 on a failure note (there is no answer to mark right), but a 👎 and a correction there count', async () => {
    t.ollama.script({ content: 'unused', failAfterTokens: 0 });
    const printed = await converse(['hello?', '/up', '/down', '/reply hi there']);
    expect(printed).toContain('bot> My language model gave an answer I could not use.');
    expect(printed).toContain('(your 👍 did not count: I could not answer that question, so there is no answer to mark right; ask again, or 👎 it and reply with the right answer)');
    expect(printed).toContain('(you reacted 👎 to the last answer; type /reply <the right answer> to correct it)');
    expect(t.store.listInteractions(me)[0]).toMatchObject({ answer: null, feedback: 'negative_corrected', groundTruth: 'hi there' });
  });

  it('asks for the text when /reply or /edit has none, and sends nothing', async () => {
    t.ollama.script({ content: 'tea' });
    const printed = await converse(['drink?', '/down', '/reply', '/reply coffee', '/edit   ']);
    expect(printed).toContain('Write your reply after /reply, e.g. /reply Lisbon, always Lisbon');
    expect(printed).toContain('Write the new text after /edit');
    expect(t.store.listInteractions(me)[0]).toMatchObject({ feedback: 'negative_corrected', groundTruth: 'coffee' });
  });

  it('lists memories with ids, forgets one, and prints the export', async () => {
    t.ollama.script({ content: 'tea' }, { content: 'jazz' });
    const first = await converse(['drink?', 'music?', '/persona memories']);
    const drink = t.store.listInteractions(me).find((row) => row.question === 'drink?')!;
    expect(first).toContain(`\`${drink.id.toString(36)}\``);
    const printed = await converse([`/persona forget ${drink.id.toString(36)}`, '/persona export']);
    expect(printed).toContain('Forgotten: "drink?"');
    const json = printed.slice(printed.indexOf('{'));
    expect(JSON.parse(json).tables.interactions.map((row: { question: string }) => row.question)).toEqual(['music?']);
  });

  it('resets and forgets through /persona', async () => {
    t.ollama.script({ content: 'hi' });
    const printed = await converse(['hello', '/persona reset', '/persona forget', '/persona forget confirm']);
    expect(printed).toContain('back to the initial one');
    expect(printed).toContain('/persona forget confirm');
    expect(printed).toContain('Done. I deleted 1 interactions');
    expect(t.store.findMember(me)).toBeUndefined();
  });
});
