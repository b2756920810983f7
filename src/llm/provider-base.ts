import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, ModelCapabilities, ToolSpec } from '../core/ports.js';
import { abortFailure, contextFromOverflow, httpFailure, refusesTools, type FailureContext } from './model-errors.js';
import type { ModelInfo, ModelProvider, ProviderName } from './provider.js';
import { ReplyStream, type ModelHabits } from './reply-stream.js';

/** The names and place a provider is configured with. */
export interface ProviderSettings {
  endpoint: string;
  chatModel: string;
  embedModel: string;
  timeoutMs: number;
}

/** A server's refusal as its status and its own words, for deciding whether the call can be made again. */
export interface Refusal {
  status?: number;
  message: string;
}

/**
 * What every provider shares: its models, what the chat model can do and the context it is given,
 * the per-call deadline, the same failure codes, and asking again without tools when the server
 * refuses them. A provider adds how it talks to its server.
 */
export abstract class ProviderBase implements ModelProvider {
  abstract readonly name: ProviderName;
  protected caps: ModelCapabilities;
  protected context: number;
  /** What the client has learned about how the model writes. */
  protected readonly habits: ModelHabits;

  protected constructor(
    protected readonly settings: ProviderSettings,
    initial: { context: number; capabilities: ModelCapabilities; thinkingKnown: boolean },
  ) {
    this.context = initial.context;
    this.caps = initial.capabilities;
    // A model said to think may write only `</think>` (R1 distills): its text waits for that tag. So may
    // a model nobody said anything about, until its first streamed reply shows how it writes.
    this.habits = { closesThinkingOnly: initial.capabilities.thinking, known: initial.thinkingKnown };
  }

  get endpoint(): string {
    return this.settings.endpoint;
  }

  get chatModel(): string {
    return this.settings.chatModel;
  }

  /** The chat model's name (a provider serves as a LanguageModel on its own too). */
  get modelName(): string {
    return this.settings.chatModel;
  }

  get embedModel(): string {
    return this.settings.embedModel;
  }

  get contextTokens(): number {
    return this.context;
  }

  get capabilities(): ModelCapabilities {
    return this.caps;
  }

  /** One chat turn; streams when `onText` is given. A refusal the provider knows how to avoid is avoided, and the call made again. */
  async chat(request: ChatRequest): Promise<ChatResult> {
    const tools = request.tools && request.tools.length > 0 && this.caps.tools ? request.tools : undefined;
    try {
      return await this.exchange(request, tools);
    } catch (error) {
      if (!(error instanceof ModelError)) throw error;
      const again = this.avoid(this.refusal(error.cause), request, tools);
      if (!again) throw error;
      return again();
    }
  }

  abstract embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  abstract describe(model: string): Promise<ModelInfo>;
  abstract adopt(info: ModelInfo): void;

  /** Sends one chat turn with these tools (none when undefined). */
  protected abstract exchange(request: ChatRequest, tools: ToolSpec[] | undefined): Promise<ChatResult>;

  /** The status and words of a failed call's cause. */
  protected abstract refusal(cause: unknown): Refusal;

  /** How to make a refused call again, or null. A model that refuses tools has none from then on: the agent prefetches memory instead. */
  protected avoid(refusal: Refusal, request: ChatRequest, tools: ToolSpec[] | undefined): (() => Promise<ChatResult>) | null {
    if (!tools || !refusesTools(refusal.status, refusal.message)) return null;
    this.caps = { ...this.caps, tools: false, source: 'server' };
    return () => this.exchange(request, undefined);
  }

  /** Reads a streamed reply with what is known of how the model writes; none when the caller does not stream. */
  protected replyStream(request: ChatRequest): ReplyStream | undefined {
    return request.onText ? new ReplyStream(request, this.habits) : undefined;
  }

  /** Runs a call under its own deadline and the caller's signal; every failure comes out as a ModelError. */
  protected async withDeadline<T>(model: string, signal: AbortSignal | undefined, run: (abort: AbortSignal) => Promise<T>, classify: (error: unknown, model: string) => ModelError): Promise<T> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await run(combined);
    } catch (error) {
      if (error instanceof ModelError) throw error;
      throw abortFailure({ timedOut: timeout.aborted, timeoutMs: this.settings.timeoutMs, signal }, model, error) ?? classify(error, model);
    }
  }

  /** An HTTP failure as a ModelError; an overflow that names the server's context makes the next prompt fit it. */
  protected httpFailure(status: number, message: string, context: FailureContext, extra: { retryAfterMs?: number; cause?: unknown } = {}): ModelError {
    const failure = httpFailure(status, message, context, extra);
    const limit = failure.code === 'MODEL_CONTEXT_TOO_LONG' ? contextFromOverflow(message) : null;
    if (limit !== null) this.context = Math.min(this.context, limit);
    return failure;
  }
}
