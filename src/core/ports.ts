import type { MemberKey, Platform } from '../shared/member-key.js';
import type { Attachment, ControlEvent, Form, FormEvent, PrivateFile, PrivateTarget } from './chat-interactions.js';

export type { Attachment, ControlEvent, Form, FormEvent, FormKind, PrivateFile, PrivateTarget } from './chat-interactions.js';

export type { MemberKey, Platform } from '../shared/member-key.js';

/** Where a message lives on its platform. */
export interface Place {
  channelId: string;
  /** Discord thread channel id or Slack `thread_ts` of the message, when it sits in a thread. */
  threadId?: string;
  /** The channel a Discord thread belongs to, so that channel's instructions reach its threads. */
  parentChannelId?: string;
}

/** A member mentioned the bot (or wrote to it in a DM): a question to answer. */
export interface MentionEvent extends Place {
  kind: 'mention';
  member: MemberKey;
  messageId: string;
  text: string;
  /** The message this one replies to (Discord reply), if any. */
  replyToId?: string;
  attachments?: Attachment[];
  /** The member's name as the platform shows it, when the event carries it (Discord). */
  displayName?: string;
  at: Date;
}

/**
 * A member replied to a message (platform reply or a message in a thread) without
 * addressing the bot. The core decides whether it is a correction.
 */
export interface ReplyEvent extends Place {
  kind: 'reply';
  member: MemberKey;
  messageId: string;
  /** The message replied to; absent when only the thread is known (Slack thread replies). */
  replyToId?: string;
  /**
   * The member directed this at the bot (Discord: a reply to one of the bot's messages).
   * Addressed replies that are not corrections are answered as follow-up questions.
   */
  addressed: boolean;
  /** The message names someone but not the bot, or replies to another person's message: it is said to them, never a follow-up. */
  toOthers?: boolean;
  text: string;
  attachments?: Attachment[];
  /** The member's name as the platform shows it, when the event carries it (Discord). */
  displayName?: string;
  at: Date;
}

/** An emoji reaction was added or removed. `emoji` is a unicode emoji or a platform name (`-1`). */
export interface ReactionEvent {
  kind: 'reaction';
  member: MemberKey;
  channelId: string;
  messageId: string;
  emoji: string;
  added: boolean;
  at: Date;
}

/** A member edited one of their messages. */
export interface EditEvent {
  kind: 'edit';
  member: MemberKey;
  channelId: string;
  messageId: string;
  text: string;
  at: Date;
}

/** A message was deleted; platforms do not always say by whom, so only its place is known. */
export interface DeleteEvent {
  kind: 'delete';
  platform: Platform;
  workspaceId: string;
  channelId: string;
  messageId: string;
  at: Date;
}

/** A slash command (`/persona view|reset|history|forget|memories|export|admin …`). */
export interface CommandEvent {
  kind: 'command';
  member: MemberKey;
  channelId: string;
  /** The channel a Discord thread belongs to, when the command was run in a thread. */
  parentChannelId?: string;
  name: 'persona';
  args: string[];
  /** The platform says this member administers the workspace (may act on another member). */
  isAdmin?: boolean;
  /** The member's name as the platform shows it, when the event carries it (Discord). */
  displayName?: string;
  at: Date;
}

/** Everything an adapter hands to the core, already stripped of SDK objects. */
export type ChatEvent = MentionEvent | ReplyEvent | ReactionEvent | EditEvent | DeleteEvent | CommandEvent | ControlEvent | FormEvent;

/** Where to send a message. */
export interface SendTarget extends Place {
  /** Reply to this message (Discord message reference); Slack uses `threadId`. */
  replyToId?: string;
}

/** The outgoing side of a platform, implemented by each adapter. */
export interface Chat {
  /** Post a message; long text is split by the adapter. Returns the ids of every message posted. */
  send(to: SendTarget, text: string): Promise<{ messageIds: string[] }>;
  /** Show text only to this member (Slack ephemeral, Discord ephemeral interaction reply). */
  sendPrivate(to: PrivateTarget, text: string): Promise<void>;
  /** Add a reaction to a message. */
  react(to: { channelId: string; messageId: string }, emoji: string): Promise<void>;
  /** Show that the bot is working; returns a function that stops it. */
  typing?(to: Place & { messageId?: string }): Promise<() => Promise<void>>;
  /**
   * Opens an answer that is written as the model produces it. `onPosted` is called with each
   * platform message id as soon as that message exists, so feedback during the stream pairs up.
   * Platforms without it get the whole answer through `send`.
   */
  stream?(to: StreamTarget, onPosted: (messageId: string) => void): AnswerStream;
  /** Opens a form for the member; only inside an interaction that allows one (a button, a command). */
  openForm?(form: Form): Promise<void>;
  /** Sends a file only this member gets (Discord: ephemeral attachment; Slack: a file in their DM). */
  sendPrivateFile?(to: PrivateTarget, file: PrivateFile): Promise<void>;
  /** The member's name on the platform, for events that do not carry it (Slack looks it up, and keeps it a while). */
  memberName?(member: MemberKey): Promise<string | undefined>;
  /** Fetches an attachment from the platform's own file hosts, refusing more than `maxBytes`. */
  download?(attachment: Attachment, maxBytes: number, signal?: AbortSignal): Promise<Uint8Array>;
}

/** Where a streamed answer goes, and the member it answers (Slack streams to a recipient). */
export interface StreamTarget extends SendTarget {
  member: MemberKey;
  /** The finished answer carries the feedback controls (👍, "Correct it") for this answer id. */
  controls?: { answerId: string };
}

/**
 * One answer being written into the platform. The core decides what is said; the adapter decides
 * how often the platform is touched (throttled edits, Slack's streaming methods, terminal output).
 */
export interface AnswerStream {
  /** Shows what the bot is doing while no answer text is visible (queue position, a tool step). */
  status(text: string): void;
  /** Appends answer text as it arrives. */
  append(text: string): void;
  /** Takes back the text appended so far (the model wrote a preamble, then turned to a tool). */
  retract(): void;
  /** Ends the answer; `text` is the whole final answer. Resolves with every message id that carries it. */
  finish(text: string): Promise<{ messageIds: string[] }>;
  /** Ends an answer that was cut off: what was written so far, then `note` saying why. */
  fail(text: string, note: string): Promise<{ messageIds: string[] }>;
}

/** One turn of a conversation sent to a model. */
export interface ModelMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  toolCalls?: ToolCall[];
  /** For `tool` messages: the name of the tool that produced the content. */
  toolName?: string;
  /** Images sent with a user message, for models that read them. */
  images?: ModelImage[];
}

/** An image for a model that reads images (Ollama `images`, OpenAI-compatible image parts). */
export interface ModelImage {
  mimeType: string;
  /** The image's bytes, base64-encoded. */
  base64: string;
}

/** A tool the model may call, described by a JSON schema. */
export interface ToolSpec {
  name: string;
  description: string;
  parameters: {
    type: 'object';
    properties: Record<string, { type: string; description: string }>;
    required: string[];
  };
}

/** A tool call the model asked for. */
export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What a chat call returns. Thinking is never part of `content`; neither is a tool call written as text. */
export interface ChatResult {
  content: string;
  /** Calls from the server's tool-call field, or read from text the model wrote instead. */
  toolCalls: ToolCall[];
  /** When the model wrote its tool call as text: that text, so it can be shown the call it made. */
  toolCallText?: string;
  /** Text that looked like a tool call but could not be read (e.g. broken JSON inside `<tool_call>` tags). */
  toolCallProblem?: string;
  /** What the client mended in the reply: `thinking` removed, `json` taken out of prose or a fence, a `tool-call` read from text. */
  repaired?: Array<'thinking' | 'json' | 'tool-call'>;
  /** Prompt tokens the server evaluated (after any truncation of its own). */
  promptTokens: number;
  completionTokens: number;
  /** The server stopped because the answer hit the context or token limit. */
  truncated?: boolean;
}

/**
 * A request to the model. `format` is a JSON schema the answer must follow; the reply's `content`
 * is then the JSON text alone, taken out of any prose or fence around it.
 */
export interface ChatRequest {
  system: string;
  messages: ModelMessage[];
  /**
   * Tools the model may call. An empty list is an agent turn with no tools offered now: a call the
   * model writes anyway is reported in the result (not returned as its answer). Absent: a plain
   * call, whose text is taken as it is (thinking removed).
   */
  tools?: ToolSpec[];
  temperature: number;
  format?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Streams the answer: called with each piece of answer text (never thinking or a tool call) as it is known. */
  onText?: (delta: string) => void;
  /** The text streamed so far was not answer text after all (thinking whose end showed late): take it back. */
  onRetract?: () => void;
}

/** What the chat model can do, as its server reported it (or as configured, where the server does not say). */
export interface ModelCapabilities {
  /** It takes tools; without them the agent answers from memory prefetched into the prompt. */
  tools: boolean;
  /** It reads images. */
  vision: boolean;
  /** It thinks before answering (the thinking is removed from every reply). */
  thinking: boolean;
  /** `server`: the server said so; `settings`: configured or assumed, since the server does not say. */
  source: 'server' | 'settings';
}

/** The model port; src/llm implements it with Ollama or an OpenAI-compatible server. */
export interface LanguageModel {
  /** The chat model's name, recorded with every persona version. */
  readonly modelName: string;
  /** How many tokens one request may hold (prompt and answer); prompts are assembled to fit. */
  readonly contextTokens: number;
  /** What the chat model can do; absent means a model that takes tools (test doubles, caches). */
  readonly capabilities?: ModelCapabilities;
  chat(request: ChatRequest): Promise<ChatResult>;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

/** How urgent a piece of model work is: a member waiting for an answer, or background learning. */
export type ModelPriority = 'live' | 'background';

/** A place in the model queue: whose work it is and how urgent. */
export interface QueueTicket {
  /** Work of one lane (a member) is served in turn with other lanes. */
  lane: string;
  priority: ModelPriority;
  /** Cancels the work while it waits or runs. */
  signal?: AbortSignal;
  /** Called while waiting, whenever the number of questions ahead changes. */
  onPosition?: (ahead: number) => void;
}

/** The one gate in front of the model: bounded concurrency, live before background, round-robin across lanes. */
export interface ModelQueue {
  /** Runs `work` holding one model slot; model calls made inside it do not queue again. */
  run<T>(ticket: QueueTicket, work: () => Promise<T>): Promise<T>;
  /** Live work of this lane waiting or running. */
  pending(lane: string): number;
  /** Resolves when no live work is waiting (background work yields to members). */
  liveIdle(): Promise<void>;
  /** How much work waits and runs now. */
  stats(): { waiting: number; running: number };
}

/** What came of an event, for adapters that echo the member's own action (the console's `/up`). */
export interface EventOutcome {
  /** The event changed what the bot keeps. */
  counted: boolean;
  /** Why it did not count, as a short clause ("that answer is already marked right"). */
  note?: string;
}

/** What adapters hand events to: the core `Bot` in production, a recorder in unit tests. */
export interface EventSink {
  /** Handles one event; resolves with its outcome where the core reports one (reactions). */
  handle(event: ChatEvent, chat: Chat): Promise<EventOutcome | void>;
}

/** A started adapter. `stop` finishes in-flight work within a bound and closes connections. */
export interface RunningAdapter {
  readonly name: string;
  /** Where its messages go, for answers not started by an event (questions recovered after a restart). */
  readonly outlet?: { platform: Platform; chat: Chat };
  /** Stops taking new events while answers in flight can still be sent (shutdown, before draining). */
  quiesce?(): Promise<void>;
  stop(): Promise<void>;
}

/** Background knowledge lookup (Wikipedia page summaries). */
export interface Encyclopedia {
  /** A short summary of the topic, or null when there is no such page. */
  summary(topic: string, signal?: AbortSignal): Promise<string | null>;
}
