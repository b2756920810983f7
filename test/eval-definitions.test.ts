import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMethodNames, methodNames } from '../src/eval/methods.js';
import { Store } from '../src/memory/store.js';
import type { OllamaChatBody } from './fakes/fake-ollama.js';
import { lampFixtures, lastUserText, movieTagger, readReport, runEval, useEvalFakes } from './eval-support.js';

const fakes = useEvalFakes();

/** A LaMP-2M run of some methods on one question per user, into its own folder. */
const movieRun = (out: string, methods: string) => ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', join(fakes.dir, out), '--methods', methods, '--limit-questions', '1'];

/** Every chat request the scripted server got, as comparable text, in a fixed order. */
const requestsSent = () => fakes.ollama.chats().map((body) => JSON.stringify({ ...body, stream: undefined })).sort();

/** The ground truths of the memories a question retrieved, from the method's own database. */
function retrievedTruths(database: string, ids: number[]): string[] {
  const store = Store.open(database);
  try {
    return ids.map((id) => store.interaction(id)?.groundTruth ?? '?');
  } finally {
    store.close();
  }
}

describe('retrieval reads the item, not the template', () => {
  it('swapping the article of a question for an unrelated one changes what RAG retrieves', async () => {
    const questions = JSON.parse(readFileSync(join(lampFixtures, 'lamp2n', 'dev_questions.json'), 'utf8')) as Array<{ id: string; input: string }>;
    const swapped = join(fakes.dir, 'swapped');
    const marker = 'article: ';
    const food = 'A chef shares a recipe to bake bread in a home kitchen.';
    writeFileSync(join(fakes.dir, 'dev_questions.json'), JSON.stringify(questions.map((question) => (question.id === 'nia-1' ? { ...question, input: `${question.input.slice(0, question.input.indexOf(marker) + marker.length)}${food}` } : question))));
    writeFileSync(join(fakes.dir, 'dev_outputs.json'), readFileSync(join(lampFixtures, 'lamp2n', 'dev_outputs.json')));
    fakes.ollama.respond(() => ({ content: 'sports' }));

    const original = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp2n', '--data', join(lampFixtures, 'lamp2n'), '--out', join(fakes.dir, 'original'), '--methods', 'rag4', '--no-wiki']);
    const changed = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp2n', '--data', fakes.dir, '--out', swapped, '--methods', 'rag4', '--no-wiki']);
    expect([original.code, changed.code]).toEqual([0, 0]);
    const truthsOf = (report: ReturnType<typeof readReport>) => {
      const [method] = report.methods;
      return retrievedTruths(method!.files.database, method!.items.find((item) => item.questionId === 'nia-1')!.retrievedIds);
    };
    // nia's history holds four sports and four food articles; the top 4 follow the article asked about.
    expect(truthsOf(readReport(original))).toEqual(['sports', 'sports', 'sports', 'sports']);
    expect(truthsOf(readReport(changed))).toEqual(['food & drink', 'food & drink', 'food & drink', 'food & drink']);
    // The query embedded is the article itself, never the template.
    const embedded = fakes.ollama.requests.filter((request) => request.path === '/api/embed').flatMap((request) => [request.body.input].flat() as string[]);
    expect(embedded).toContain(food);
    expect(embedded.filter((text) => text.includes('Which category'))).toEqual([]);
  });
});

describe('LaMP-1 alignment trains on the test\'s own question', () => {
  it('builds batch items with two reference titles, one the author\'s own, and no abstract question', async () => {
    fakes.ollama.respond((body: OllamaChatBody) => {
      const prompt = lastUserText(body);
      if (body.format) return { content: JSON.stringify({ persona: 'This author cites work close to their own papers. Always call search_memory first.' }) };
      if (!body.tools) return { content: prompt.startsWith('You are a critical evaluator') ? 'Search memory for their own titles.' : 'They work on one field.' };
      if (!body.messages.some((message) => message.role === 'tool')) return { toolCalls: [{ name: 'search_memory', arguments: { query: 'their papers' } }] };
      return { content: '[1]' };
    });
    const result = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp1', '--data', join(lampFixtures, 'lamp1'), '--out', join(fakes.dir, 'out'), '--methods', 'persona-agent', '--no-wiki']);
    expect(result.code).toBe(0);
    const data = JSON.parse(readFileSync(join(lampFixtures, 'lamp1', 'dev_questions.json'), 'utf8')) as Array<{ user_id: string; input: string; profile: Array<{ title: string }> }>;
    const titlesOf = (userId: string) => data.find((question) => question.user_id === userId)!.profile.map((paper) => paper.title);
    const feedback = fakes.ollama.chats().map(lastUserText).filter((prompt) => prompt.startsWith('You are a critical evaluator'));
    // Three users with three or more papers, batch n = 3.
    expect(feedback).toHaveLength(9);
    for (const prompt of feedback) {
      const question = /Question: (.*)\n/.exec(prompt)![1]!;
      expect(question).not.toMatch(/abstract/i);
      const [title, ref1, ref2] = [...question.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
      expect(question).toBe(`For an author who has written the paper with the title "${title}", which reference is related? Just answer with [1] or [2] without explanation. [1]: "${ref1}" [2]: "${ref2}"`);
      const author = data.find((entry) => titlesOf(entry.user_id).includes(title!))!.user_id;
      const own = titlesOf(author);
      const expected = /Answer the member wanted: (.*)\n/.exec(prompt)![1];
      const [cited, other] = expected === '[1]' ? [ref1!, ref2!] : [ref2!, ref1!];
      expect(own).toContain(cited);
      expect(cited).not.toBe(title);
      expect(own).not.toContain(other);
      expect(data.some((entry) => entry.user_id !== author && titlesOf(entry.user_id).includes(other))).toBe(true);
    }
  });
});

describe('the rewrite guard is counted, not hidden', () => {
  it('counts kept, rejected and failed rewrites per method, with the reason, in the table', async () => {
    fakes.ollama.respond(movieTagger);
    // Only ana's rewrite (her profile: sci-fi) keeps the tool-use rules; the guard the bot applies refuses the others.
    fakes.ollama.respond((body: OllamaChatBody) => (body.format && !lastUserText(body).includes('mostly tags sci-fi') ? { content: JSON.stringify({ persona: 'This member likes comedies.' }) } : undefined));
    const result = await runEval(fakes, ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', join(fakes.dir, 'out'), '--methods', 'persona-agent,persona-agent-no-align']);
    expect(result.code).toBe(0);
    const [agent] = readReport(result).methods;
    expect(agent!.rewrites).toEqual({ accepted: 1, rejected: 2 });
    expect(result.stdout).toMatch(/\| PersonaAgent \| [\d.]+ \| [\d.]+ \| 0\.513 \| 0\.424 \| [\d.]+ \| [\d.]+ \| 1\/2\/0 \|/);
    expect(result.stdout).toContain('- PersonaAgent: 2 users — rejected: rewrite rejected: the rewrite drops the tool-use rules (search_memory is not mentioned)');
    expect(result.stdout).toMatch(/Per-user effect of alignment \(PersonaAgent − w\/o alignment, accuracy per user; above 0 is better\): mean [+-][\d.]+, 95% bootstrap interval \[[+-][\d.]+, [+-][\d.]+\] over 3 users\./);
  });
});

describe('every method measures what its name says', () => {
  it('refuses methods that Wikipedia\'s absence would make identical to another', async () => {
    const result = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', join(fakes.dir, 'out'), '--methods', 'react,persona-agent-no-memory,persona-agent-no-actions', '--no-wiki']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ReAct without Wikipedia has no tool and answers as Prompt does');
    expect(result.stderr).toContain('PersonaAgent w/o memory without Wikipedia has no tool left');
    expect(fakes.ollama.requests).toEqual([]);
  });

  it('no two methods of a run send the same requests', async () => {
    const sent = new Map<string, string[]>();
    const defaults = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', join(fakes.dir, 'all'), '--no-wiki', '--limit-questions', '1']);
    expect(defaults.code).toBe(0);
    expect(defaults.stderr).toContain('Leaving out react: ReAct without Wikipedia has no tool');
    expect(readReport(defaults).methods.map((method) => method.method)).toEqual(defaultMethodNames.filter((name) => name !== 'react' && name !== 'persona-agent-no-memory'));
    for (const method of methodNames) {
      fakes.ollama.reset();
      fakes.ollama.respond(movieTagger);
      const result = await runEval(fakes, movieRun(method, method));
      expect(result.code).toBe(0);
      sent.set(method, requestsSent());
    }
    for (const [first, requests] of sent) {
      for (const [second, others] of sent) if (first < second) expect(requests, `${first} and ${second}`).not.toEqual(others);
    }
  });

  it('every method sends the same requests for the same inputs, alone or after the others, so a cached answer is the answer', async () => {
    // A context small enough that prompts are trimmed: what is trimmed must not depend on what ran before.
    fakes.ollama.contextLength = 1500;
    const everything = methodNames.join(',');
    const together = await runEval(fakes, movieRun('together', everything));
    expect(together.code).toBe(0);
    expect(readReport(together).methods.some((method) => method.trimmed > 0)).toBe(true);
    const inOneRun = requestsSent();
    fakes.ollama.reset();
    fakes.ollama.respond(movieTagger);
    expect((await runEval(fakes, movieRun('again', everything))).code).toBe(0);
    expect(requestsSent()).toEqual(inOneRun);
    const alone: string[] = [];
    for (const method of methodNames) {
      fakes.ollama.reset();
      fakes.ollama.respond(movieTagger);
      expect((await runEval(fakes, movieRun(`alone-${method}`, method))).code).toBe(0);
      alone.push(...requestsSent());
    }
    // A run of every method asks each request once (the rest come from its cache); alone, each method asks the same ones.
    expect(new Set(alone)).toEqual(new Set(inOneRun));
  });
});

describe('each ablation is told of the tools it has, and only those', () => {
  const runMethod = (method: string) => runEval(fakes, ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', join(fakes.dir, method), '--methods', method]);
  const mentions = (body: OllamaChatBody, tool: string) => body.messages.some((message) => message.content.includes(tool));

  it('w/o actions offers no tool and none of its prompts (persona, rewrite, answers) names one; its rewrites are kept', async () => {
    const result = await runMethod('persona-agent-no-actions');
    expect(result.code).toBe(0);
    const chats = fakes.ollama.chats();
    expect(chats.some((body) => body.format !== undefined)).toBe(true);
    expect(chats.filter((body) => (body.tools ?? []).length > 0)).toEqual([]);
    expect(chats.filter((body) => mentions(body, 'search_memory') || mentions(body, 'wikipedia'))).toEqual([]);
    const [method] = readReport(result).methods;
    // The rewrite names no tool, as asked, and the guard does not ask it to.
    expect(method!.setups.map((setup) => setup.alignment?.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('w/o memory offers and names only Wikipedia, and a rewrite that keeps Wikipedia\'s rule is kept', async () => {
    const result = await runMethod('persona-agent-no-memory');
    expect(result.code).toBe(0);
    const chats = fakes.ollama.chats();
    expect(new Set(chats.flatMap((body) => (body.tools ?? []).map((tool) => tool.function.name)))).toEqual(new Set(['wikipedia']));
    expect(chats.filter((body) => mentions(body, 'search_memory'))).toEqual([]);
    expect(chats.filter((body) => body.format !== undefined).every((body) => mentions(body, 'wikipedia'))).toBe(true);
    const [method] = readReport(result).methods;
    expect(method!.setups.map((setup) => setup.alignment?.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
  });
});

describe('the chat bot\'s fast path as a method', () => {
  it('persona-agent-prefetch answers a model that searches first in one call, with the item\'s memories already in the prompt', async () => {
    // A model that searches its memory whenever it has not seen a search result yet, then answers.
    fakes.ollama.respond((body: OllamaChatBody) => {
      if (body.format) return undefined;
      const searched = body.messages.some((message) => message.role === 'tool');
      return body.tools && !searched ? { toolCalls: [{ name: 'search_memory', arguments: { query: 'sports' } }] } : { content: 'sports' };
    });
    const run = await runEval({ ollama: fakes.ollama }, ['--task', 'lamp2n', '--data', join(lampFixtures, 'lamp2n'), '--out', join(fakes.dir, 'fast'), '--methods', 'persona-agent,persona-agent-prefetch', '--no-wiki']);
    expect(run.code).toBe(0);
    const [paper, fast] = readReport(run).methods;
    expect(paper!.items.every((item) => item.usage.chatCalls === 2)).toBe(true);
    expect(fast!.items.every((item) => item.usage.chatCalls === 1 && item.retrievedIds.length > 0)).toBe(true);
    expect(readFileSync(`${/Wrote (.+)\.md/.exec(run.stderr)![1]}.md`, 'utf8')).toContain('PersonaAgent, memory prefetched');
  });
});
