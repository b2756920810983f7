import { AsyncLocalStorage } from 'node:async_hooks';

/** Model use attributed to one piece of work (a question, or a user's setup). */
export interface Usage {
  /** Chat requests made, whether answered by Ollama or from the cache. */
  chatCalls: number;
  /** Embedding requests made, whether answered by Ollama or from the cache. */
  embedCalls: number;
  /** Requests (chat and embedding) answered from the cache. */
  cachedCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** Codes of model errors seen, including ones the code under test recovered from. */
  errors: string[];
}

/** A zeroed usage record. */
export function emptyUsage(): Usage {
  return { chatCalls: 0, embedCalls: 0, cachedCalls: 0, promptTokens: 0, completionTokens: 0, errors: [] };
}

/** Adds `usage` into `total`. */
export function addUsage(total: Usage, usage: Usage): Usage {
  total.chatCalls += usage.chatCalls;
  total.embedCalls += usage.embedCalls;
  total.cachedCalls += usage.cachedCalls;
  total.promptTokens += usage.promptTokens;
  total.completionTokens += usage.completionTokens;
  total.errors.push(...usage.errors);
  return total;
}

/**
 * Attributes model calls to the work that caused them, across awaits and concurrent calls
 * (the aligner runs several at once), without threading a counter through the bot's code.
 */
export class UsageMeter {
  private readonly scope = new AsyncLocalStorage<Usage>();

  /** Runs `work`, adding every model call it makes to `usage`. */
  track<T>(usage: Usage, work: () => Promise<T>): Promise<T> {
    return this.scope.run(usage, work);
  }

  /** Called by the model wrapper for each request. */
  record(change: Partial<Omit<Usage, 'errors'>> & { error?: string }): void {
    const usage = this.scope.getStore();
    if (!usage) return;
    usage.chatCalls += change.chatCalls ?? 0;
    usage.embedCalls += change.embedCalls ?? 0;
    usage.cachedCalls += change.cachedCalls ?? 0;
    usage.promptTokens += change.promptTokens ?? 0;
    usage.completionTokens += change.completionTokens ?? 0;
    if (change.error) usage.errors.push(change.error);
  }
}
