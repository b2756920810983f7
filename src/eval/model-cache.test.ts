import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../core/errors.js';
import type { ChatRequest, ChatResult, Encyclopedia, LanguageModel } from '../core/ports.js';
import { CachingEncyclopedia, CachingModel, canonicalJson, DiskCache } from './model-cache.js';
import { emptyUsage, UsageMeter } from './usage-meter.js';

/** A hand-written model that records every call and answers with a counter. */
class RecordingModel implements LanguageModel {
  readonly chats: ChatRequest[] = [];
  readonly embeds: string[][] = [];
  /** Thrown by the next calls, one each, in order. */
  failures: ModelError[] = [];
  readonly contextTokens = 8192;

  constructor(readonly modelName = 'chat-model') {}

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.chats.push(request);
    const failure = this.failures.shift();
    if (failure) throw failure;
    return { content: `answer ${this.chats.length}`, toolCalls: [], promptTokens: 7, completionTokens: 3 };
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.embeds.push(texts);
    return texts.map((text, index) => Float32Array.from([text.length, index + 0.1, -1 / 3]));
  }
}

let dir: string;
let inner: RecordingModel;
let meter: UsageMeter;
const request: ChatRequest = { system: 'be brief', messages: [{ role: 'user', content: 'hi' }], temperature: 0.1 };
const scope = { chat: { provider: 'ollama', endpoint: 'http://127.0.0.1:11434', numCtx: 8192, think: false }, embed: { provider: 'ollama', endpoint: 'http://127.0.0.1:11434', model: 'embed-model' } };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'model-cache-'));
  inner = new RecordingModel();
  meter = new UsageMeter();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const caching = (model: LanguageModel = inner, embedModel = 'embed-model', under = scope) => new CachingModel(model, { cache: new DiskCache(dir), embedModel, meter, scope: under });

describe('CachingModel', () => {
  it('answers a repeated request from disk, also in a later process, and counts both calls', async () => {
    const usage = emptyUsage();
    const first = await meter.track(usage, () => caching().chat(request));
    const again = await meter.track(usage, () => caching().chat({ ...request, messages: [{ role: 'user', content: 'hi' }] }));
    expect(again).toEqual(first);
    expect(inner.chats).toHaveLength(1);
    expect(usage).toMatchObject({ chatCalls: 2, cachedCalls: 1, promptTokens: 14, completionTokens: 6 });
  });

  it('asks again when anything that shapes the answer differs', async () => {
    const model = caching();
    const tool = { name: 't', description: 'd', parameters: { type: 'object' as const, properties: {}, required: [] } };
    const variants: ChatRequest[] = [
      request,
      { ...request, system: 'be long' },
      { ...request, messages: [{ role: 'user', content: 'hello' }] },
      { ...request, tools: [tool] },
      { ...request, format: { type: 'object' } },
      { ...request, temperature: 0.2 },
    ];
    for (const variant of variants) await model.chat(variant);
    await caching(new RecordingModel('other-model')).chat(request);
    expect(inner.chats).toHaveLength(variants.length);
    // The same prompt under another num_ctx, server or thinking setting is asked again.
    for (const chat of [{ ...scope.chat, numCtx: 2048 }, { ...scope.chat, endpoint: 'http://10.0.0.2:11434' }, { ...scope.chat, think: true }]) await caching(inner, 'embed-model', { ...scope, chat }).chat(request);
    expect(inner.chats).toHaveLength(variants.length + 3);
  });

  it('does not care about key order inside tool arguments', async () => {
    const withCall = (args: Record<string, unknown>): ChatRequest => ({ ...request, messages: [{ role: 'assistant', content: '', toolCalls: [{ name: 'search_memory', arguments: args }] }] });
    await caching().chat(withCall({ query: 'tea', limit: 2 }));
    await caching().chat(withCall({ limit: 2, query: 'tea' }));
    expect(inner.chats).toHaveLength(1);
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"e":0,"f":1}]},"b":1}');
  });

  it('does not store failures, and notes their code for the run', async () => {
    const usage = emptyUsage();
    inner.failures = [new ModelError('MODEL_BAD_RESPONSE', 'garbled', 'chat-model', true)];
    await expect(meter.track(usage, () => caching().chat(request))).rejects.toThrow('garbled');
    await meter.track(usage, () => caching().chat(request));
    expect(inner.chats).toHaveLength(2);
    expect(usage).toMatchObject({ chatCalls: 2, cachedCalls: 0, errors: ['MODEL_BAD_RESPONSE'] });
  });

  it('tries a lost connection once more, and gives up on the second', async () => {
    const lost = () => new ModelError('MODEL_UNREACHABLE', 'Ollama is not reachable.', 'chat-model', true);
    inner.failures = [lost()];
    expect((await caching().chat(request)).content).toBe('answer 2');
    inner.failures = [lost(), lost()];
    await expect(caching().chat({ ...request, system: 'other' })).rejects.toThrow('not reachable');
    expect(inner.chats).toHaveLength(4);
  });

  it('stores embeddings exactly, keyed by the embedding model and the texts', async () => {
    const vectors = await caching().embed(['one', 'three']);
    const cached = await caching().embed(['one', 'three']);
    expect(cached).toEqual(vectors);
    expect(cached[1]![2]).toBe(Math.fround(-1 / 3));
    await caching(inner, 'another-embed').embed(['one', 'three']);
    await caching(inner, 'embed-model', { ...scope, embed: { ...scope.embed, endpoint: 'http://10.0.0.2:11434' } }).embed(['one', 'three']);
    await caching().embed(['one']);
    expect(inner.embeds).toEqual([['one', 'three'], ['one', 'three'], ['one', 'three'], ['one']]);
    expect(caching().stats).toEqual({ sent: 0, cached: 0 });
  });
});

describe('CachingEncyclopedia', () => {
  it('remembers summaries and missing pages but not failures', async () => {
    const topics: string[] = [];
    let failing = true;
    const wikipedia: Encyclopedia = {
      async summary(topic) {
        topics.push(topic);
        if (topic === 'Flaky' && failing) {
          failing = false;
          throw new Error('503');
        }
        return topic === 'Nowhere' ? null : `${topic}: a summary`;
      },
    };
    const cached = new CachingEncyclopedia(wikipedia, new DiskCache(dir));
    for (let round = 0; round < 2; round += 1) {
      expect(await cached.summary('Tea')).toBe('Tea: a summary');
      expect(await cached.summary('Nowhere')).toBeNull();
    }
    await expect(cached.summary('Flaky')).rejects.toThrow('503');
    expect(await cached.summary('Flaky')).toBe('Flaky: a summary');
    expect(topics).toEqual(['Tea', 'Nowhere', 'Flaky', 'Flaky']);
  });
});
