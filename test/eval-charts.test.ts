import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { jaccardMatrix } from '../src/analysis/persona-map.js';
import { runEvalCommand } from '../src/eval/eval-command.js';
import { lampFixtures, readReport, runEval, type EvalResult, useEvalFakes } from './eval-support.js';

const fakes = useEvalFakes();

const movies = (out: string, extra: string[]) => ['--task', 'lamp2m', '--data', join(lampFixtures, 'lamp2m'), '--out', out, '--no-wiki', ...extra];

/** Checks an SVG parses as XML with an <svg> root and returns how many marks it draws. */
function checkSvg(path: string): number {
  const text = readFileSync(path, 'utf8');
  const errors: string[] = [];
  const document = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(text, 'image/svg+xml');
  expect(errors).toEqual([]);
  expect(document.documentElement?.nodeName).toBe('svg');
  return document.getElementsByTagName('path').length + document.getElementsByTagName('rect').length;
}

/** Checks a PNG's signature and header; returns its size. */
function checkPng(path: string): { width: number; height: number } {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  const size = { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  expect(size.width).toBeGreaterThan(100);
  expect(size.height).toBeGreaterThan(100);
  return size;
}

/** Every `Wrote …` path a command printed. */
const written = (result: EvalResult) => [...result.stderr.matchAll(/Wrote (.+)\.md and \1\.json/g)].map((match) => match[1]!);

describe('sweeps', () => {
  it('runs once per setting, charts each method\'s score over the setting, and resumes without calling the model', async () => {
    const out = join(fakes.dir, 'out');
    const result = await runEval({ ollama: fakes.ollama }, movies(out, ['--methods', 'prompt,persona-agent', '--sweep', 'n=1,3', '--sweep', 'k=1,4']));
    expect(result.code).toBe(0);
    const reports = written(result);
    expect(reports).toHaveLength(4);
    expect(reports.map((base) => /-n(\d)-E1-K(\d)-/.exec(base)!.slice(1).join(','))).toEqual(['1,4', '3,4', '3,1', '3,4']);
    const chartBases = [...result.stderr.matchAll(/Wrote (\S+)\.md, \1\.svg, \1\.png and \1\.json/g)].map((match) => match[1]!);
    expect(chartBases.map((base) => /sweep-(\w)-/.exec(base)![1])).toEqual(['n', 'k']);

    for (const [index, base] of chartBases.entries()) {
      const chart = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as { title: string; data: Array<{ series: string; x: number; y: number }> };
      const runs = index === 0 ? reports.slice(0, 2) : reports.slice(2);
      const values = index === 0 ? [1, 3] : [1, 4];
      // One point per method and setting, each the accuracy in that setting's own report.
      const expected = ['Prompt (non-personalised)', 'PersonaAgent'].flatMap((series) =>
        values.map((x, run) => ({ series, x, y: JSON.parse(readFileSync(`${runs[run]}.json`, 'utf8')).methods.find((method: { label: string }) => method.label === series).scores.accuracy })),
      );
      expect(chart.data.map(({ series, x, y }) => ({ series, x, y }))).toEqual(expected);
      expect(chart.title).toContain(index === 0 ? 'over alignment batch n' : 'over retrieved memories K');
      expect(checkSvg(`${base}.svg`)).toBeGreaterThanOrEqual(chart.data.length);
      checkPng(`${base}.png`);
      expect(readFileSync(`${base}.md`, 'utf8')).toContain(`| Method | ${index === 0 ? 'n = 1 | n = 3' : 'k = 1 | k = 4'} |`);
    }

    fakes.ollama.reset();
    const again = await runEval({ ollama: fakes.ollama }, movies(out, ['--methods', 'prompt,persona-agent', '--sweep', 'n=1,3', '--sweep', 'k=1,4']));
    expect(again.code).toBe(0);
    expect(fakes.ollama.requests).toEqual([]);
  });
});

describe('persona analysis', () => {
  it('exports every final persona, maps them by majority label and shows their word overlap, as SVG and PNG', async () => {
    const run = await runEval({ ollama: fakes.ollama }, movies(join(fakes.dir, 'out'), ['--methods', 'persona-agent,persona-agent-no-align']));
    expect(run.code).toBe(0);
    const [base] = written(run);
    let stdout = '';
    const env = { OLLAMA_HOST: fakes.ollama.url, OLLAMA_MODEL: 'test-chat', OLLAMA_EMBED_MODEL: 'another-embed', LOG_LEVEL: 'silent' };
    const code = await runEvalCommand(['analyse', `${base}.json`], { env, stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } });
    expect(code).toBe(0);

    const exported = JSON.parse(readFileSync(`${base}-personas.json`, 'utf8')) as { methods: Array<{ method: string; personas: Array<{ userId: string; majorityLabel: string; reason: string; text: string }> }> };
    expect(exported.methods.map((method) => method.method)).toEqual(['persona-agent', 'persona-agent-no-align']);
    const [aligned, initial] = exported.methods;
    expect(aligned!.personas.map((persona) => [persona.userId, persona.majorityLabel, persona.reason])).toEqual([
      ['ana', 'sci-fi', 'aligned'],
      ['ben', 'comedy', 'aligned'],
      ['cy-1', 'romance', 'aligned'],
    ]);
    expect(initial!.personas.every((persona) => persona.reason === 'init')).toBe(true);
    const report = readReport(run);
    expect(aligned!.personas.map((persona) => persona.text)).toEqual(aligned!.personas.map((persona) => `This member mostly tags ${persona.majorityLabel}. Always call search_memory first, then answer with one tag.`));
    expect(readFileSync(`${base}-personas.md`, 'utf8')).toContain('### ana (most frequent label: sci-fi');
    expect(report.methods).toHaveLength(2);

    const map = JSON.parse(readFileSync(`${base}-persona-map.json`, 'utf8')) as { subtitle: string; data: Array<{ x: number; y: number; label: string; group: string }> };
    // Three users are too few for a learned projection; the map says which one drew it.
    expect(map.subtitle).toMatch(/^Projection: classical MDS \(3 points/);
    expect(map.data.map((point) => [point.label, point.group])).toEqual([
      ['ana', 'sci-fi'],
      ['ben', 'comedy'],
      ['cy-1', 'romance'],
    ]);
    expect(map.data.every((point) => Number.isFinite(point.x) && Number.isFinite(point.y))).toBe(true);
    // The personas were embedded with the run's embedding model, not the one set now.
    const embeds = fakes.ollama.requests.filter((request) => request.path === '/api/embed').map((request) => request.body.model);
    expect(embeds.at(-1)).toBe('test-embed');

    const overlap = JSON.parse(readFileSync(`${base}-persona-overlap.json`, 'utf8')) as { data: Array<{ row: string; column: string; value: number }> };
    const expected = jaccardMatrix(aligned!.personas.map((persona) => persona.text));
    const users = ['ana', 'ben', 'cy-1'];
    expect(overlap.data.map((cell) => [cell.row, cell.column, cell.value])).toEqual(users.flatMap((row, r) => users.map((column, c) => [row, column, expected[r]![c]!])));
    expect(overlap.data.filter((cell) => cell.row === cell.column).map((cell) => cell.value)).toEqual([1, 1, 1]);
    expect(overlap.data.find((cell) => cell.row === 'ana' && cell.column === 'ben')!.value).toBeLessThan(1);

    for (const chart of ['persona-map', 'persona-overlap']) {
      expect(checkSvg(`${base}-${chart}.svg`)).toBeGreaterThanOrEqual(3);
      checkPng(`${base}-${chart}.png`);
      expect(stdout).toContain(`${base}-${chart}.png`);
    }
  });

  it('explains a missing report', async () => {
    let stderr = '';
    const code = await runEvalCommand(['analyse', join(fakes.dir, 'nothing.json')], { env: { OLLAMA_HOST: fakes.ollama.url }, stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } });
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(fakes.dir, 'nothing')}.json does not exist`);
  });
});
