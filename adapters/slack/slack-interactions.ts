import type { App, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandEvent, EventSink, FormEvent } from '../../src/core/ports.js';
import { commandEvent, controlEvent, formEvent, needsAdmin, type SlackBlockAction, type SlackCommand } from './normalize.js';
import { InteractionChat, type Respond, type SlackChatOptions } from './slack-chat.js';
import { FORM_CALLBACK } from './slack-controls.js';
import { slackErrorSummary } from './slack-formatting.js';

type WebClient = webApi.WebClient;

/** Prompts offered when a member opens a new thread with the bot in Slack's assistant view. */
const SUGGESTED_PROMPTS = [
  { title: 'What do you know about me?', message: 'What have you learned about what I like so far?' },
  { title: 'Recommend something', message: 'Recommend a book I would enjoy, from what you know about me.' },
  { title: 'Help me decide', message: 'Help me choose between two options; ask me what they are.' },
];

/** What the interaction handlers need from the adapter. */
export interface InteractionDeps {
  sink: EventSink;
  logger: Logger;
  chatOptions: SlackChatOptions;
  /** Runs a handler so shutdown can wait for it; errors are logged, never thrown to bolt. */
  track(work: () => Promise<void>): Promise<void>;
  teamOf(context: { teamId?: string; enterpriseId?: string }, body: { team?: { id?: string } | null; team_id?: string }): string;
}

/**
 * `/persona`, the controls under answers, submitted forms and the assistant view's new threads.
 * Each is acknowledged at once (Slack allows 3 s) and handed to the core with a chat that answers
 * the member privately and can open a modal with the interaction's trigger.
 */
export function listenToInteractions(app: App, deps: InteractionDeps): void {
  app.command('/persona', async ({ command, ack, respond, client, context }) => {
    await ack();
    await deps.track(() => onCommand(deps, command, context.teamId ?? command.team_id, client, respond));
  });
  app.action(/^persona_/, async ({ ack, body, respond, client, context }) => {
    await ack();
    const action = body as SlackBlockAction;
    const event = controlEvent(action, { teamId: deps.teamOf(context, action) }, new Date());
    if (!event) return;
    const place = { channel: event.channelId, ...(action.container?.thread_ts ? { thread: action.container.thread_ts } : {}) };
    await deps.track(() => deps.sink.handle(event, new InteractionChat(client, deps.logger, { respond: respond as Respond, triggerId: action.trigger_id, place }, deps.chatOptions)).then(() => undefined));
  });
  app.view(FORM_CALLBACK, async ({ ack, body, client, context }) => {
    // Closes the modal; the answer comes as an ephemeral note where the form was opened.
    await ack();
    const read = formEvent(body, { teamId: deps.teamOf(context, body) }, new Date());
    if (!read) return;
    await deps.track(async () => {
      const event: FormEvent = read.event.form === 'instructions' ? { ...read.event, isAdmin: await isAdmin(client, read.event.member.userId, deps.logger) } : read.event;
      await deps.sink.handle(event, new InteractionChat(client, deps.logger, { place: read.place }, deps.chatOptions));
    });
  });
  app.event('assistant_thread_started', async ({ event, client }) => {
    const thread = (event as { assistant_thread?: { channel_id?: string; thread_ts?: string } }).assistant_thread;
    if (!thread?.channel_id || !thread.thread_ts) return;
    await deps.track(() => suggestPrompts(client, thread.channel_id!, thread.thread_ts!, deps.logger));
  });
}

async function onCommand(deps: InteractionDeps, command: SlackCommand & { trigger_id?: string }, teamId: string, client: WebClient, respond: Respond): Promise<void> {
  const plain = commandEvent(command, { teamId }, new Date());
  if (!plain) return;
  // Acting on another member or for the workspace needs the caller to administer it; ask Slack only then.
  const event: CommandEvent = needsAdmin(plain) ? { ...plain, isAdmin: await isAdmin(client, plain.member.userId, deps.logger) } : plain;
  const chat = new InteractionChat(client, deps.logger, { respond, triggerId: command.trigger_id, place: { channel: plain.channelId } }, deps.chatOptions);
  await deps.sink.handle(event, chat);
}

/** Whether Slack says this member administers (or owns) the workspace; false when Slack cannot say. */
async function isAdmin(client: WebClient, userId: string, logger: Logger): Promise<boolean> {
  try {
    const { user } = await client.users.info({ user: userId });
    return Boolean(user?.is_admin || user?.is_owner);
  } catch (error) {
    logger.warn({ userId, ...slackErrorSummary(error) }, 'could not check whether the member is an admin');
    return false;
  }
}

/** Offers a few prompts at the start of an assistant thread; a workspace without the assistant view refuses quietly. */
async function suggestPrompts(client: WebClient, channelId: string, threadTs: string, logger: Logger): Promise<void> {
  try {
    await client.assistant.threads.setSuggestedPrompts({ channel_id: channelId, thread_ts: threadTs, title: 'Ask me anything; I learn what you like.', prompts: SUGGESTED_PROMPTS });
  } catch (error) {
    logger.info({ channelId, ...slackErrorSummary(error) }, 'suggested prompts not set');
  }
}
