import { afterEach, describe, expect, it } from 'vitest';
import { fakeUser, type FakeDiscord, type FakeUser } from './fakes/fake-discord.js';
import type { FakeOllamaOptions } from './fakes/fake-ollama.js';
import { startDiscordBot, type DiscordBot } from './support/discord-bot.js';
import type { TestBot } from './support/harness.js';
import { until } from './support/until.js';

let d: DiscordBot | undefined;
let fake: FakeDiscord;
let t: TestBot;
const alice = fakeUser('alice');
const bob = fakeUser('bob');

/** A bot whose attachments come from the fake's loopback CDN (the only way tests reach a file host). */
async function start(options: { ollama?: FakeOllamaOptions; env?: Record<string, string>; fileHosts?: string[] } = {}): Promise<void> {
  const fileHosts = { hosts: options.fileHosts ?? ['127.0.0.1'], protocols: ['http:'] };
  d = await startDiscordBot({ bot: { ollama: options.ollama, env: { ATTACHMENT_MAX_KB: '64', ...options.env } }, adapter: { fileHosts } });
  ({ fake, t } = d);
}

afterEach(async () => {
  await d?.stop();
  d = undefined;
});

/** Sends a message and waits until the core has handled it. */
async function say(author: FakeUser, content: string, options: { channelId?: string; attachments?: any[]; replyTo?: string } = {}): Promise<any> {
  const payload = fake.userMessage(author, content, options);
  await d!.handled('MESSAGE_CREATE', payload);
  return payload;
}

/** The final text of the bot's answer to a message. */
const answerTo = (messageId: string): string | undefined => [...fake.messages.values()].find((message) => message.author.id === fake.bot.id && message.message_reference?.message_id === messageId)?.content;
const lastChat = () => t.ollama.chats().at(-1)!;
const userTurn = () => lastChat().messages.filter((message) => message.role === 'user').at(-1)!;

describe('Discord: files attached to a question', () => {
  it('quotes a text file in the question with its name, and keeps nothing of it but that', async () => {
    await start();
    const file = fake.serveFile('notes.md', '# Trip\nLisbon in May, Porto in June.\n');
    t.ollama.script({ content: 'Lisbon first.' });
    const question = await say(alice, `<@${fake.bot.id}> where do I go first?`, { attachments: [file] });
    expect(userTurn().content).toBe('where do I go first?\n\n[attached file: notes.md]\n```\n# Trip\nLisbon in May, Porto in June.\n\n```');
    expect(answerTo(question.id)).toBe('Lisbon first.');
    expect(t.store.listInteractions(d!.key(alice))[0]!.question).toContain('Lisbon in May, Porto in June.');
    expect(fake.cdn.files.get('notes.md')!.requests).toBe(1);
  });

  it('refuses a file over the limit without fetching it, and stops a download that runs past the limit', async () => {
    await start();
    const honest = fake.serveFile('big.csv', 'a,b\n'.repeat(40_000));
    // Reported small, but 16 MB arrive without a declared length: the download stops at the limit.
    const lying = fake.serveFile('huge.txt', 'x'.repeat(16_000_000), { reportedSize: 100, declareLength: false });
    t.ollama.script({ content: 'I read neither.' });
    const question = await say(alice, `<@${fake.bot.id}> sum these`, { attachments: [honest, lying] });
    expect(fake.cdn.files.get('big.csv')!.requests).toBe(0);
    expect(fake.cdn.files.get('huge.txt')!.requests).toBe(1);
    expect(fake.cdn.files.get('huge.txt')!.served).toBeLessThan(8_000_000);
    const answer = await until(() => answerTo(question.id), 'the answer');
    expect(answer).toContain('(I did not read big.csv: it is larger than 64 KB.)');
    expect(answer).toContain('(I did not read huge.txt: it is larger than 64 KB.)');
    expect(userTurn().content).toBe('sum these');
  });

  it('fetches files only from the platform hosts it was given', async () => {
    await start({ fileHosts: ['cdn.discordapp.com'] });
    const file = fake.serveFile('notes.txt', 'secret plans');
    t.ollama.script({ content: 'ok' });
    const question = await say(alice, `<@${fake.bot.id}> read this`, { attachments: [file] });
    expect(fake.cdn.files.get('notes.txt')!.requests).toBe(0);
    expect(await until(() => answerTo(question.id), 'the answer')).toContain('(I could not fetch notes.txt');
  });

  it('sends an image to a model that reads images', async () => {
    await start({ ollama: { capabilities: ['completion', 'tools', 'vision'] } });
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const image = fake.serveFile('cat.png', png, { contentType: 'image/png' });
    t.ollama.script({ content: 'A cat.' });
    const question = await say(alice, `<@${fake.bot.id}> what is this?`, { attachments: [image] });
    expect((userTurn() as { images?: string[] }).images).toEqual([png.toString('base64')]);
    expect(userTurn().content).toBe('what is this?\n[attached image: cat.png]');
    expect(await until(() => answerTo(question.id), 'the answer')).toBe('A cat.');
  });

  it('tells the member in one line when the model does not read images, without fetching them', async () => {
    await start({ ollama: { capabilities: ['completion', 'tools'] } });
    const image = fake.serveFile('cat.png', Buffer.from('89504e47', 'hex'), { contentType: 'image/png' });
    t.ollama.script({ content: 'I cannot see it.' });
    const question = await say(alice, `<@${fake.bot.id}> what is this?`, { attachments: [image] });
    expect(await until(() => answerTo(question.id), 'the answer')).toBe("(My model does not read images, so I did not look at the image you sent.)\n\nI cannot see it.");
    expect(fake.cdn.files.get('cat.png')!.requests).toBe(0);
    expect((userTurn() as { images?: string[] }).images).toBeUndefined();
  });
});

describe('Discord: follow-ups in a thread', () => {
  it("answers the asker's next message in the thread without a mention, and ignores anyone else's", async () => {
    await start();
    t.ollama.script({ content: 'Dune.' }, { content: 'Then Hyperion.' });
    await say(alice, `<@${fake.bot.id}> a book?`, { channelId: fake.threadId });
    const followUp = await say(alice, 'and after that?', { channelId: fake.threadId });
    expect(await until(() => answerTo(followUp.id), 'the follow-up answer')).toBe('Then Hyperion.');
    // The earlier turn is in the prompt: it is the same exchange.
    expect(lastChat().messages.map((message) => message.content)).toContain('a book?');
    const chats = t.ollama.chats().length;
    const other = await say(bob, 'I liked Foundation more', { channelId: fake.threadId });
    const aside = await say(alice, `<@${bob.id}> me too`, { channelId: fake.threadId });
    // A reply to Bob's message is said to Bob, though it names nobody.
    const toBob = await say(alice, 'same here, the first one is the best', { channelId: fake.threadId, replyTo: other.id });
    expect(answerTo(other.id)).toBeUndefined();
    expect(answerTo(aside.id)).toBeUndefined();
    expect(answerTo(toBob.id)).toBeUndefined();
    expect(t.ollama.chats()).toHaveLength(chats);
    expect(t.store.findMember(d!.key(bob))).toBeUndefined();
    expect(t.store.listInteractions(d!.key(alice)).map((row) => row.question)).toEqual(['and after that?', 'a book?']);
  });

  it('with FOLLOW_UPS=mention, answers only mentions', async () => {
    await start({ env: { FOLLOW_UPS: 'mention' } });
    t.ollama.script({ content: 'Dune.' });
    await say(alice, `<@${fake.bot.id}> a book?`, { channelId: fake.threadId });
    const followUp = await say(alice, 'and after that?', { channelId: fake.threadId });
    expect(answerTo(followUp.id)).toBeUndefined();
    expect(t.store.listInteractions(d!.key(alice))).toHaveLength(1);
  });
});
