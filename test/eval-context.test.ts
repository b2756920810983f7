import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OllamaChatBody } from './fakes/fake-ollama.js';
import { FakeOpenAi } from './fakes/fake-openai.js';
import { lampFixtures, readReport, reportBase, runEval, useEvalFakes } from './eval-support.js';

const fakes = useEvalFakes();
let openai: FakeOpenAi;
beforeAll(async () => {
  openai = await FakeOpenAi.start({ flavour: 'vllm', contextLength: 16_384 });
});
afterAll(() => openai.close());

const movies = (out: string, methods: string, data = join(lampFixtures, 'lamp2m')) => ['--task', 'lamp2m', '--data', data, '--out', join(fakes.dir, out), '--methods', methods, '--no-wiki'];

describe('the eval fits every prompt to the context the model runs with', () => {
  it('takes the trained length from the server, trims the baselines\' prompts to it and counts the trimmed questions', async () => {
    // OLLAMA_NUM_CTX is left at its default (8192); the model was trained on 700 tokens, as /api/show says.
    fakes.ollama.contextLength = 700;
    const result = await runEval(fakes, movies('small', 'icl,rag4,pag4,membank'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('context 700 tokens (OLLAMA_NUM_CTX 8192, the server: 700)');
    // Nothing was left for the server to cut: every prompt arrived whole.
    expect(fakes.ollama.chats().length).toBeGreaterThan(0);
    expect(fakes.ollama.truncatedChats()).toEqual([]);
    const report = readReport(result);
    const trims = Object.fromEntries(report.methods.map((method) => [method.method, method.items.map((item) => item.trimmed)]));
    expect(trims).toEqual({
      icl: [['2 of 4 examples'], ['2 of 4 examples'], ['2 of 4 examples'], ['1 of 3 examples']],
      rag4: [['2 of 4 memories'], ['2 of 4 memories'], ['2 of 4 memories'], ['1 of 3 memories']],
      pag4: [['3 of 4 memories'], ['3 of 4 memories'], ['3 of 4 memories'], ['2 of 3 memories']],
      membank: [['3 of 4 memories'], ['3 of 4 memories'], ['3 of 4 memories'], ['2 of 3 memories']],
    });
    // What was shown (what was not left out) is what is recorded as retrieved.
    expect(report.methods.find((method) => method.method === 'rag4')!.items.map((item) => item.retrievedIds.length)).toEqual([2, 2, 2, 2]);
    expect(report.methods.map((method) => method.trimmed)).toEqual([4, 4, 4, 4]);
    expect(result.stdout).toMatch(/\| RAG-4 \| [\d.]+ \| [\d.]+ \| – \| – \| [\d.]+ \| [\d.]+ \| – \| 0 \| 4 \|/);
  });

  it('records a question whose prompt the context cannot hold as failed, with the reason, and goes on', async () => {
    const questions = JSON.parse(readFileSync(join(lampFixtures, 'lamp2m', 'dev_questions.json'), 'utf8')) as Array<{ id: string; input: string }>;
    const long = questions.map((question) => (question.id === 'ben-1' ? { ...question, input: `${question.input} ${'A very long film about a very long day. '.repeat(800)}` } : question));
    writeFileSync(join(fakes.dir, 'dev_questions.json'), JSON.stringify(long));
    writeFileSync(join(fakes.dir, 'dev_outputs.json'), readFileSync(join(lampFixtures, 'lamp2m', 'dev_outputs.json')));
    const result = await runEval(fakes, movies('long', 'prompt,rag4,persona-agent-no-persona', fakes.dir));
    expect(result.code).toBe(0);
    for (const method of readReport(result).methods) {
      expect(method.failed).toBe(1);
      const failed = method.items.filter((item) => item.error !== undefined);
      expect(failed.map((item) => item.questionId)).toEqual(['ben-1']);
      expect(failed[0]!.error).toMatch(/^CONTEXT_TOO_SMALL: The prompt needs about \d+ tokens but the context holds \d+/);
      expect(method.items.filter((item) => item.error === undefined)).toHaveLength(3);
    }
    expect(result.stdout).toMatch(/\| Prompt \(non-personalised\) \| [\d.]+ \| [\d.]+ \| [^|]+ \| [^|]+ \| [\d.]+ \| [\d.]+ \| – \| 1 \|/);
    expect(fakes.ollama.chats().some((body) => JSON.stringify(body).includes('a very long day'))).toBe(false);
  });
});

describe('a run is named and cached by the server and what is sent with each call', () => {
  it('num_ctx, thinking and the provider each start a run of their own that asks the model again', async () => {
    const run = (env: Record<string, string> = {}) => runEval(fakes, movies('shared', 'prompt'), env);
    const asked = () => fakes.ollama.chats().length;
    // A model that thinks when asked to (the server's answer about it is kept for the --out folder).
    fakes.ollama.capabilities = ['completion', 'tools', 'thinking'];
    const first = await run();
    expect(first.code).toBe(0);
    expect(asked()).toBe(4);
    expect(first.stdout).toContain('answered by Ollama');

    const bases = [reportBase(first)];
    const variants: Array<[Record<string, string>, (body: OllamaChatBody) => boolean]> = [
      [{ OLLAMA_NUM_CTX: '4096' }, (body) => body.options?.num_ctx === 4096],
      [{ LLM_THINK: 'true' }, (body) => body.think === true],
    ];
    for (const [env, sent] of variants) {
      fakes.ollama.reset();
      const result = await run(env);
      expect(result.code).toBe(0);
      expect(fakes.ollama.chats().filter(sent), JSON.stringify(env)).toHaveLength(4);
      bases.push(reportBase(result));
    }
    fakes.ollama.reset();
    const hosted = await run({ LLM_PROVIDER: 'openai', EMBED_PROVIDER: 'ollama', OPENAI_BASE_URL: openai.url, OPENAI_MODEL: 'test-chat' });
    expect(hosted.code).toBe(0);
    expect(openai.chats()).toHaveLength(4);
    expect(asked()).toBe(0);
    expect(hosted.stdout).toContain('answered by the OpenAI-compatible server');
    expect(hosted.stderr).toContain('Model requests this run: 4 sent to the OpenAI-compatible server');
    bases.push(reportBase(hosted));
    expect(new Set(bases).size).toBe(4);

    // The same settings again: every answer comes from the cache, into the same report.
    fakes.ollama.reset();
    const again = await run({ OLLAMA_NUM_CTX: '4096' });
    expect(asked()).toBe(0);
    expect(reportBase(again)).toBe(bases[1]);
  });

  it('a sweep under another num_ctx writes its own table and chart', async () => {
    const sweep = async (env: Record<string, string>) => {
      const result = await runEval(fakes, [...movies('sweeps', 'prompt'), '--sweep', 'k=1,2'], env);
      expect(result.code).toBe(0);
      return /Wrote (.+)\.md, /.exec(result.stderr)![1]!;
    };
    const [first, second] = [await sweep({}), await sweep({ OLLAMA_NUM_CTX: '4096' })];
    expect(first).toContain('-sweep-k-');
    expect(second).not.toBe(first);
  });
});
