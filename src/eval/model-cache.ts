import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, Encyclopedia, LanguageModel, ModelCapabilities } from '../core/ports.js';
import type { UsageMeter } from './usage-meter.js';

/** JSON with object keys sorted, so equal requests always hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

/** A content-addressed store of JSON values on disk, one file per key, written atomically. */
export class DiskCache {
  constructor(private readonly dir: string) {}

  /** The key of a request: a SHA-256 of its canonical JSON. */
  static key(request: unknown): string {
    return createHash('sha256').update(canonicalJson(request)).digest('hex');
  }

  /** The stored value, or undefined when there is none (or it cannot be read). */
  read<T>(key: string): T | undefined {
    try {
      return JSON.parse(readFileSync(this.path(key), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  /** Stores a value; a rename makes the file appear whole or not at all, even if the process dies. */
  write(key: string, value: unknown): void {
    const path = this.path(key);
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, path);
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}

interface CachedEmbedding {
  vectors: string[];
}

/** What the cache keys carry besides the request: the servers and the settings sent with each call. */
export interface CacheScope {
  /** Chat server, num_ctx, thinking, what the model can do: the same prompt may be answered otherwise under another. */
  chat: unknown;
  /** Embedding server and model. */
  embed: unknown;
}

/**
 * A LanguageModel that answers repeated requests from disk. The key covers everything that shapes
 * the answer (model, server and its settings, system, messages, tools, format, temperature; the
 * embedding server, model and texts), so an interrupted run resumes without repeating a call and a
 * rerun makes none. Failures are not stored; a connection lost mid-run is tried once more.
 */
export class CachingModel implements LanguageModel {
  readonly modelName: string;
  /** Requests in this process: sent to the wrapped model, and answered from disk. */
  readonly stats = { sent: 0, cached: 0 };

  constructor(
    private readonly inner: LanguageModel,
    private readonly options: { cache: DiskCache; embedModel: string; meter: UsageMeter; scope: CacheScope },
  ) {
    this.modelName = inner.modelName;
  }

  get contextTokens(): number {
    return this.inner.contextTokens;
  }

  get capabilities(): ModelCapabilities | undefined {
    return this.inner.capabilities;
  }

  /** Answers from the cache, or asks the wrapped model and stores its answer. */
  async chat(request: ChatRequest): Promise<ChatResult> {
    const { cache, meter } = this.options;
    const key = DiskCache.key({
      kind: 'chat',
      model: this.modelName,
      server: this.options.scope.chat,
      system: request.system,
      messages: request.messages,
      tools: request.tools ?? null,
      format: request.format ?? null,
      temperature: request.temperature,
    });
    const cached = cache.read<ChatResult>(key);
    if (cached) {
      this.stats.cached += 1;
      meter.record({ chatCalls: 1, cachedCalls: 1, promptTokens: cached.promptTokens, completionTokens: cached.completionTokens });
      return cached;
    }
    this.stats.sent += 1;
    const result = await onceMore(() => this.inner.chat(request), request.signal).catch((error: unknown) => {
      meter.record({ chatCalls: 1, error: errorCode(error) });
      throw error;
    });
    cache.write(key, result);
    meter.record({ chatCalls: 1, promptTokens: result.promptTokens, completionTokens: result.completionTokens });
    return result;
  }

  /** Embeds from the cache, or asks the wrapped model and stores the vectors. */
  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const { cache, meter, embedModel } = this.options;
    const key = DiskCache.key({ kind: 'embed', model: embedModel, server: this.options.scope.embed, texts });
    const cached = cache.read<CachedEmbedding>(key);
    if (cached && cached.vectors.length === texts.length) {
      this.stats.cached += 1;
      meter.record({ embedCalls: 1, cachedCalls: 1 });
      return cached.vectors.map(fromBase64);
    }
    this.stats.sent += 1;
    const vectors = await onceMore(() => this.inner.embed(texts, signal), signal).catch((error: unknown) => {
      meter.record({ embedCalls: 1, error: errorCode(error) });
      throw error;
    });
    cache.write(key, { vectors: vectors.map(toBase64) } satisfies CachedEmbedding);
    meter.record({ embedCalls: 1 });
    return vectors;
  }
}

/** Wikipedia summaries from disk when looked up before, so reruns are offline and repeatable. */
export class CachingEncyclopedia implements Encyclopedia {
  constructor(
    private readonly inner: Encyclopedia,
    private readonly cache: DiskCache,
  ) {}

  /** The cached summary (or cached "no page"), else the wrapped lookup; failures are not stored. */
  async summary(topic: string, signal?: AbortSignal): Promise<string | null> {
    const key = DiskCache.key({ kind: 'wikipedia', topic });
    const cached = this.cache.read<{ summary: string | null }>(key);
    if (cached) return cached.summary;
    const summary = await this.inner.summary(topic, signal);
    this.cache.write(key, { summary });
    return summary;
  }
}

/** A connection reset or refused ("fetch failed") is tried once more: a server restarting should not stop a long run. */
async function onceMore<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof ModelError) || error.code !== 'MODEL_UNREACHABLE' || signal?.aborted) throw error;
    return call();
  }
}

function errorCode(error: unknown): string {
  return error instanceof ModelError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}

function toBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  // Copy into a fresh, aligned buffer: Buffer pools may start at offsets Float32Array cannot use.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
