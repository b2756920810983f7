import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { commandArgs, commandEvent, controlEvent, deleteEvent, editEvent, emojiName, formEvent, messageEvent, reactionEvent, stripBotMention, type CommandLike, type MessageLike } from './normalize.js';

const botId = '100';
const at = new Date('2025-01-02T03:04:05Z');
const options = { botId, allowDms: false };
const alice = { platform: 'discord', workspaceId: 'g1', userId: '7' } as const;

/** A guild text message from Alice, shaped like a discord.js Message. */
function message(overrides: Partial<MessageLike> = {}): MessageLike {
  return {
    id: 'm1',
    content: 'hello',
    author: { id: '7', bot: false },
    guildId: 'g1',
    channelId: 'c1',
    channel: { type: ChannelType.GuildText },
    reference: null,
    mentions: { repliedUser: null },
    createdAt: at,
    ...overrides,
  };
}

describe('messageEvent', () => {
  it('turns an explicit mention into a MentionEvent without the mention markup', () => {
    expect(messageEvent(message({ content: '<@100> what should I read?' }), options)).toEqual({
      kind: 'mention', member: alice, channelId: 'c1', messageId: 'm1', text: 'what should I read?', at,
    });
    expect(messageEvent(message({ content: 'hey <@!100>   tell me\n  more' }), options)?.text).toBe('hey tell me\n  more');
  });

  it('carries the name Discord shows: server nickname, else the member\'s or the author\'s display name', () => {
    const asked = (overrides: Partial<MessageLike>) => messageEvent(message({ content: '<@100> hi', ...overrides }), options)?.displayName;
    expect(asked({ author: { id: '7', bot: false, displayName: 'Alice' }, member: { displayName: 'Captain Alice' } })).toBe('Captain Alice');
    expect(asked({ author: { id: '7', bot: false, displayName: 'Alice' }, member: null })).toBe('Alice');
    expect(asked({ author: { id: '7', bot: false, displayName: '  ' } })).toBeUndefined();
  });

  it('keeps the replied-to id of a mention and the thread of a thread message', () => {
    const event = messageEvent(message({ content: '<@100> and this?', channelId: 't1', channel: { type: ChannelType.PublicThread }, reference: { messageId: 'm0' } }), options);
    expect(event).toMatchObject({ kind: 'mention', channelId: 't1', threadId: 't1', replyToId: 'm0' });
  });

  it('a reply to one of the bot\'s messages without a mention is an addressed reply', () => {
    const event = messageEvent(message({ content: 'no, mushrooms', reference: { messageId: 'a1' }, mentions: { repliedUser: { id: botId } } }), options);
    expect(event).toEqual({ kind: 'reply', member: alice, channelId: 'c1', messageId: 'm1', replyToId: 'a1', addressed: true, text: 'no, mushrooms', at });
  });

  it('replies to others and thread messages are unaddressed replies; other messages are nothing', () => {
    expect(messageEvent(message({ reference: { messageId: 'x' }, mentions: { repliedUser: { id: '8' } } }), options)).toMatchObject({ kind: 'reply', replyToId: 'x', addressed: false });
    expect(messageEvent(message({ channelId: 't1', channel: { type: ChannelType.PrivateThread } }), options)).toMatchObject({ kind: 'reply', threadId: 't1', addressed: false });
    expect(messageEvent(message(), options)).toBeNull();
    // A mention of someone else is not a mention of the bot.
    expect(messageEvent(message({ content: '<@1000> hi' }), options)).toBeNull();
  });

  it('a reply to someone else\'s message is said to them, in a thread too; a reply to one\'s own message or to an unknown author is not', () => {
    const inThread = { channelId: 't1', channel: { type: ChannelType.PublicThread } };
    expect(messageEvent(message({ ...inThread, content: 'agreed', reference: { messageId: 'x' }, mentions: { repliedUser: { id: '8' } } }), options)).toMatchObject({ kind: 'reply', threadId: 't1', replyToId: 'x', addressed: false, toOthers: true });
    expect(messageEvent(message({ content: 'agreed', reference: { messageId: 'x' }, mentions: { repliedUser: { id: '8' } } }), options)).toMatchObject({ toOthers: true });
    expect(messageEvent(message({ ...inThread, content: 'and also', reference: { messageId: 'x' }, mentions: { repliedUser: { id: '7' } } }), options)).not.toHaveProperty('toOthers');
    expect(messageEvent(message({ ...inThread, content: 'and also', reference: { messageId: 'x' }, mentions: { repliedUser: null } }), options)).not.toHaveProperty('toOthers');
  });

  it('carries the files, the thread\'s channel, and whether a message is said to someone else', () => {
    const file = { name: 'notes.md', size: 12, url: 'https://cdn.discordapp.com/attachments/1/2/notes.md', contentType: 'text/markdown; charset=utf-8' };
    const event = messageEvent(message({ content: 'see this', channelId: 't1', channel: { type: ChannelType.PublicThread, parentId: 'c1' }, attachments: new Map([['a1', file]]) }), options);
    expect(event).toMatchObject({ kind: 'reply', threadId: 't1', parentChannelId: 'c1', attachments: [{ name: 'notes.md', size: 12, url: file.url, contentType: file.contentType }] });
    expect(event).not.toHaveProperty('toOthers');
    expect(messageEvent(message({ content: '<@200> what do you think?', channelId: 't1', channel: { type: ChannelType.PublicThread } }), options)).toMatchObject({ kind: 'reply', toOthers: true });
    expect(messageEvent(message({ content: 'team <@&300>, look', channelId: 't1', channel: { type: ChannelType.PublicThread } }), options)).toMatchObject({ toOthers: true });
  });

  it('ignores bots, including itself', () => {
    expect(messageEvent(message({ content: '<@100> hi', author: { id: '8', bot: true } }), options)).toBeNull();
    expect(messageEvent(message({ content: '<@100> hi', author: { id: botId, bot: false } }), options)).toBeNull();
  });

  it('takes DMs as mentions only when DMs are allowed', () => {
    const dm = message({ guildId: null, channelId: 'd1', channel: { type: ChannelType.DM }, content: 'hi there' });
    expect(messageEvent(dm, options)).toBeNull();
    expect(messageEvent(dm, { botId, allowDms: true })).toEqual({
      kind: 'mention', member: { platform: 'discord', workspaceId: '@dm', userId: '7' }, channelId: 'd1', messageId: 'm1', text: 'hi there', at,
    });
  });
});

describe('edits, deletes and reactions', () => {
  it('an update with content is an EditEvent; one without content or author is nothing', () => {
    const edited = new Date('2025-01-02T04:00:00Z');
    expect(editEvent(message({ content: '<@100> fixed', editedAt: edited }), botId, at)).toEqual({ kind: 'edit', member: alice, channelId: 'c1', messageId: 'm1', text: 'fixed', at: edited });
    expect(editEvent(message({ content: null }), botId, at)).toBeNull();
    expect(editEvent(message({ author: null }), botId, at)).toBeNull();
  });

  it('a delete carries only its place', () => {
    expect(deleteEvent({ id: 'm1', channelId: 'c1', guildId: null }, at)).toEqual({ kind: 'delete', platform: 'discord', workspaceId: '@dm', channelId: 'c1', messageId: 'm1', at });
  });

  it('names standard emoji by their character and custom ones by name', () => {
    expect(emojiName({ id: null, name: '👎' })).toBe('👎');
    expect(emojiName({ id: '555', name: 'party' })).toBe('party');
    const reaction = { emoji: { id: null, name: '👍' }, message: { id: 'a1', channelId: 'c1', guildId: 'g1' } };
    expect(reactionEvent(reaction, { id: '7' }, false, botId, at)).toEqual({ kind: 'reaction', member: alice, channelId: 'c1', messageId: 'a1', emoji: '👍', added: false, at });
    expect(reactionEvent(reaction, { id: botId }, true, botId, at)).toBeNull();
    expect(reactionEvent(reaction, { id: '8', bot: true }, true, botId, at)).toBeNull();
  });
});

describe('/persona', () => {
  const sub = (name: string, options: CommandLike['options']['data'] = []) => [{ name, type: ApplicationCommandOptionType.Subcommand, options }];

  it('maps subcommands and options to the core arguments', () => {
    expect(commandArgs(sub('view'))).toEqual(['view']);
    expect(commandArgs(sub('forget'))).toEqual(['forget']);
    expect(commandArgs(sub('forget', [{ name: 'confirm', type: ApplicationCommandOptionType.Boolean, value: false }]))).toEqual(['forget']);
    expect(commandArgs(sub('forget', [{ name: 'confirm', type: ApplicationCommandOptionType.Boolean, value: true }]))).toEqual(['forget', 'confirm']);
    expect(commandArgs(sub('reset', [{ name: 'member', type: ApplicationCommandOptionType.User, value: '8' }]))).toEqual(['reset', '8']);
    expect(commandArgs(sub('reset'))).toEqual(['reset']);
  });

  it('says a member with Manage Server or Administrator is an admin', () => {
    const command = (bits: bigint | null): CommandLike => ({
      commandName: 'persona', user: { id: '7' }, guildId: 'g1', channelId: 'c1', createdAt: at,
      memberPermissions: bits === null ? null : new PermissionsBitField(bits), options: { data: sub('history') },
    });
    expect(commandEvent(command(PermissionFlagsBits.SendMessages))).toEqual({ kind: 'command', member: alice, channelId: 'c1', name: 'persona', args: ['history'], isAdmin: false, at });
    expect(commandEvent(command(PermissionFlagsBits.ManageGuild)).isAdmin).toBe(true);
    expect(commandEvent(command(PermissionFlagsBits.Administrator)).isAdmin).toBe(true);
    expect(commandEvent(command(null)).isAdmin).toBe(false);
  });

  it('strips only the bot\'s mention', () => {
    expect(stripBotMention('<@100><@!100> hi <@200>', botId)).toBe('hi <@200>');
  });
});

describe('controls and forms', () => {
  const component = { user: { id: '7' }, guildId: 'g1', channelId: 'c1', memberPermissions: new PermissionsBitField(PermissionFlagsBits.ManageGuild), createdAt: at };

  it('reads our buttons and nothing else', () => {
    expect(controlEvent({ ...component, customId: 'persona:fix:42' })).toEqual({ kind: 'control', member: alice, channelId: 'c1', control: 'correct', answerId: '42', at });
    expect(controlEvent({ ...component, customId: 'persona:up:42' })).toMatchObject({ control: 'approve' });
    expect(controlEvent({ ...component, customId: 'another-app:up:42' })).toBeNull();
    expect(controlEvent({ ...component, customId: 'persona:up:drop table' })).toBeNull();
  });

  it('reads our forms with their text, and whether the member may manage the server', () => {
    const fields = { getTextInputValue: (id: string) => (id === 'text' ? 'answer in French' : '') };
    expect(formEvent({ ...component, customId: 'persona:form:instructions:channel:c1', fields })).toEqual({ kind: 'form', member: alice, channelId: 'c1', form: 'instructions', subject: 'channel:c1', text: 'answer in French', isAdmin: true, at });
    expect(formEvent({ ...component, memberPermissions: new PermissionsBitField(), customId: 'persona:form:correction:9', fields })).toMatchObject({ form: 'correction', subject: '9', isAdmin: false });
    expect(formEvent({ ...component, customId: 'other:form', fields })).toBeNull();
  });
});
