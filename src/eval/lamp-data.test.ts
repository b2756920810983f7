import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultPromptsDir } from '../core/prompts.js';
import { EvalPrompts } from './eval-prompts.js';
import { EvalDataError, loadDataset, parseDate, selectUsers, type EvalUser } from './lamp-data.js';
import { toMemoryItem } from './memory-import.js';
import { getTask, questionContent } from './tasks.js';

const fixtures = new URL('../../test/fixtures/lamp/', import.meta.url).pathname;
const movies = getTask('lamp2m');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lamp-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface QuestionJson {
  id: string;
  input?: string;
  user_id?: string;
  profile: Array<Record<string, string | undefined>>;
}
interface OutputsJson {
  task: string;
  golds: Array<{ id: string; output: string }>;
}

/** Writes a data set into the temp folder: the fixture's files with `change` applied. */
function writeVariant(change: (files: { questions: QuestionJson[]; outputs: OutputsJson }) => void, source = 'lamp2m'): string {
  const files = {
    questions: JSON.parse(readFileSync(join(fixtures, source, 'dev_questions.json'), 'utf8')) as QuestionJson[],
    outputs: JSON.parse(readFileSync(join(fixtures, source, 'dev_outputs.json'), 'utf8')) as OutputsJson,
  };
  change(files);
  writeFileSync(join(dir, 'dev_questions.json'), JSON.stringify(files.questions));
  writeFileSync(join(dir, 'dev_outputs.json'), JSON.stringify(files.outputs));
  return dir;
}

function expectDataError(run: () => unknown, ...parts: string[]): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EvalDataError);
    for (const part of parts) expect((error as Error).message).toContain(part);
    return;
  }
  throw new Error('expected an EvalDataError');
}

describe('reading the questions shape ({split}_questions.json + {split}_outputs.json)', () => {
  it('groups questions by user_id, orders each profile by date and attaches golds', () => {
    const { users, files, fingerprint } = loadDataset(movies, { dir: join(fixtures, 'lamp2m'), split: 'dev' });
    expect(files).toEqual([join(fixtures, 'lamp2m', 'dev_questions.json'), join(fixtures, 'lamp2m', 'dev_outputs.json')]);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(users.map((user) => [user.userId, user.profile.length, user.questions.map((question) => question.id)])).toEqual([
      ['ana', 5, ['ana-1', 'ana-2']],
      ['ben', 4, ['ben-1']],
      ['cy-1', 3, ['cy-1']],
    ]);
    expect(users[0]!.profile.map((item) => item.id)).toEqual(['a2', 'a1', 'a3', 'a4', 'a5']);
    expect(users[0]!.profile[0]).toEqual({ id: 'a2', fields: { description: 'Robots rebel against their makers on a distant space station.', tag: 'sci-fi' }, date: '2014-07-10' });
    expect(users[0]!.questions[1]).toMatchObject({ id: 'ana-2', gold: 'twist ending' });
  });

  it('keeps file order when an item has no readable date', () => {
    const data = writeVariant(({ questions }) => {
      delete questions[0]!.profile[1]!.date;
      questions[1]!.profile = questions[0]!.profile;
    });
    expect(loadDataset(movies, { dir: data, split: 'dev' }).users[0]!.profile.map((item) => item.id)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
  });
});

describe('which split the files are', () => {
  it('tells the time-based split (user_id on every question) from the user-based one, and says when they are mixed', () => {
    const withIds = writeVariant(({ questions }) => (questions[3]!.user_id = 'cy'));
    expect(loadDataset(movies, { dir: withIds, split: 'dev' }).split).toEqual({ kind: 'time-based', why: 'every question carries user_id', warnings: [] });
    const withoutIds = writeVariant(({ questions }) => questions.forEach((question) => delete question.user_id));
    expect(loadDataset(movies, { dir: withoutIds, split: 'dev' }).split).toMatchObject({ kind: 'user-based', warnings: [] });
    const mixed = loadDataset(movies, { dir: join(fixtures, 'lamp2m'), split: 'dev' }).split;
    expect(mixed).toMatchObject({ kind: 'mixed', why: '3 of 4 questions carry user_id' });
    expect(mixed.warnings[0]).toContain('the time-based split gives every question a user_id');
    expect(loadDataset(getTask('lamp3'), { dir: join(fixtures, 'lamp3-per-user'), split: 'dev' }).split.kind).toBe('per-user file');
  });

  it('warns when a user\'s merged history holds items dated after one of their questions', () => {
    // ana-2 came with a later item than ana-1 had: merged into one member, ana-1 would see its future.
    const data = writeVariant(({ questions }) => {
      questions[0]!.user_id = questions[1]!.user_id = 'ana';
      questions[1]!.profile = [...questions[1]!.profile, { id: 'a6', description: 'A later film.', tag: 'comedy', date: '2019-05-01' }];
    });
    const { split } = loadDataset(movies, { dir: data, split: 'dev' });
    expect(split.warnings).toContain('user ana: 1 profile item(s) dated after question ana-1 (2017-02-14), e.g. a6');
    expect(split.warnings.filter((warning) => warning.includes('ana-2'))).toEqual([]);
  });
});

describe('profile dates', () => {
  it('reads years, epoch seconds, dates and zone-less times as UTC', () => {
    const newYear2006 = Date.UTC(2006, 0, 1);
    expect(parseDate('2011')).toBe(Date.UTC(2011, 0, 1));
    expect(['1136073600', '2006-01-01', '2006-01-01 00:00:00', '2006-01-01T00:00:00Z'].map(parseDate)).toEqual([newYear2006, newYear2006, newYear2006, newYear2006]);
    expect(parseDate('last spring')).toBeNaN();
  });
});

describe('reading the per-user shape ([{user_id, profile, query}] + labels)', () => {
  it('reads users, their queries and numeric or string scores', () => {
    const { users } = loadDataset(getTask('lamp3'), { dir: join(fixtures, 'lamp3-per-user'), split: 'dev' });
    expect(users.map((user) => [user.userId, user.questions.map((question) => `${question.id}=${question.gold}`)])).toEqual([
      ['dora', ['dora-1=1', 'dora-2=3']],
      ['eli', ['eli-1=5']],
    ]);
    expect(users[1]!.profile.map((item) => item.fields.score)).toEqual(['5', '5']);
  });

  it('takes explicitly named files', () => {
    const { users } = loadDataset(getTask('lamp3'), {
      split: 'ignored',
      questionsFile: join(fixtures, 'lamp3-per-user', 'dev_questions.json'),
      outputsFile: join(fixtures, 'lamp3-per-user', 'dev_outputs.json'),
    });
    expect(users).toHaveLength(2);
  });
});

describe('clear errors for missing or malformed files', () => {
  it('names a missing file and what was expected in it', () => {
    expectDataError(() => loadDataset(movies, { dir, split: 'dev' }), join(dir, 'dev_questions.json'), 'does not exist', 'LaMP_2M questions');
    writeFileSync(join(dir, 'dev_questions.json'), '[]');
    expectDataError(() => loadDataset(movies, { dir, split: 'dev' }), join(dir, 'dev_outputs.json'), 'does not exist', '"golds"');
  });

  it('says which file is not JSON', () => {
    const data = writeVariant(() => undefined);
    writeFileSync(join(data, 'dev_outputs.json'), '{"task": "LaMP_2M", "golds": [');
    expectDataError(() => loadDataset(movies, { dir: data, split: 'dev' }), 'dev_outputs.json is not valid JSON');
  });

  it('names the entry and the field that is wrong', () => {
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ questions }) => delete questions[2]!.input), split: 'dev' }), 'dev_questions.json: entry 2 (id "ben-1"): "input" must be a string');
    expectDataError(
      () => loadDataset(movies, { dir: writeVariant(({ questions }) => delete questions[1]!.profile[3]!.tag), split: 'dev' }),
      'entry 1 (id "ana")',
      'profile item 3 (id "a4"): "tag" must be a string',
      'description, tag',
    );
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ questions }) => ((questions[0] as { profile: unknown }).profile = {})), split: 'dev' }), 'entry 0 (id "ana"): "profile" must be an array');
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ questions }) => ((questions as unknown[])[0] = 'ana')), split: 'dev' }), 'entry 0: expected an object');
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ questions }) => (questions[3]!.id = 'ana-1')), split: 'dev' }), 'question id "ana-1" appears more than once');
  });

  it('refuses golds that are missing, outside the label set, or of another task', () => {
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ outputs }) => outputs.golds.pop()), split: 'dev' }), 'no gold output for 1 question(s), e.g. "cy-1"');
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ outputs }) => (outputs.golds[0]!.output = 'space')), split: 'dev' }), 'gold output of question "ana-1" is "space"', 'one of "sci-fi"');
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ outputs }) => (outputs.task = 'LaMP_3')), split: 'dev' }), 'for task "LaMP_3"', '--task lamp2m expects "LaMP_2M" or "LaMP_2"');
    expectDataError(() => loadDataset(movies, { dir: writeVariant(({ outputs }) => ((outputs as { golds: unknown }).golds = {})), split: 'dev' }), 'expected an object {"task": "LaMP_2M", "golds"');
    expectDataError(() => loadDataset(getTask('lamp3'), { dir: writeVariant(({ outputs }) => (outputs.golds[0]!.output = 'great'), 'lamp3-per-user'), split: 'dev' }), 'a rating from 1 to 5');
  });
});

describe('choosing users', () => {
  const user = (userId: string, history: number, questions: number): EvalUser => ({
    userId,
    profile: Array.from({ length: history }, (_, index) => ({ id: String(index), fields: {}, date: null })),
    questions: Array.from({ length: questions }, (_, index) => ({ id: `${userId}-${index}`, input: '', gold: '' })),
  });

  it('takes the users with the most history, ties in file order', () => {
    const users = [user('a', 2, 1), user('b', 9, 1), user('c', 5, 1), user('d', 5, 1)];
    expect(selectUsers(users, 3).map((chosen) => chosen.userId)).toEqual(['b', 'c', 'd']);
  });

  it('asks at most the question limit in all, dropping users left without questions', () => {
    const users = [user('a', 3, 2), user('b', 2, 2), user('c', 1, 2)];
    expect(selectUsers(users, 10, 3).map((chosen) => [chosen.userId, chosen.questions.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('a real LaMP-2N sample', () => {
  const sample = JSON.parse(readFileSync(join(fixtures, 'lamp2n-real', 'sample_5q.json'), 'utf8')) as {
    rows: Array<{ id: string; question: string; profile: Array<Record<string, string>> }>;
  };

  it('reads once put back in the published shape (question → input), with golds written for the test', () => {
    writeFileSync(join(dir, 'dev_questions.json'), JSON.stringify(sample.rows.map((row) => ({ id: row.id, input: row.question, profile: row.profile }))));
    writeFileSync(join(dir, 'dev_outputs.json'), JSON.stringify({ task: 'LaMP_2', golds: sample.rows.map((row) => ({ id: row.id, output: 'politics' })) }));
    const { users } = loadDataset(getTask('lamp2n'), { dir, split: 'dev' });
    expect(users.map((user) => user.profile.length)).toEqual([10, 10, 10, 7, 7]);
  });

  it('matches the input template the harness applies to profile items', () => {
    const prompts = EvalPrompts.load(defaultPromptsDir);
    for (const row of sample.rows) {
      const article = row.question.slice(row.question.indexOf('] article: ') + '] article: '.length);
      const item = toMemoryItem({ id: row.id, fields: { text: article, category: 'politics' }, date: null }, 0, { prompts, task: getTask('lamp2n') });
      expect(item.question).toBe(row.question);
      // Retrieval reads the article alone: the content after the template's fixed part.
      expect(questionContent(getTask('lamp2n'), row.question)).toBe(article);
    }
  });

  it('finds the content of every task\'s question, LaMP-1\'s being its two reference titles', () => {
    const prompts = EvalPrompts.load(defaultPromptsDir);
    const citation = prompts.render('eval-input-lamp1-citation', { title: 'Graphs for molecules', ref1: 'Message passing', ref2: 'Medieval trade' });
    expect(questionContent(getTask('lamp1'), citation)).toBe('Message passing Medieval trade');
    expect(questionContent(getTask('lamp2m'), prompts.render('eval-input-lamp2m', { description: 'A heist in Rome.' }))).toBe('A heist in Rome.');
    expect(questionContent(getTask('lamp3'), prompts.render('eval-input-lamp3', { text: 'Broke at once.' }))).toBe('Broke at once.');
    expect(questionContent(getTask('lamp2m'), 'a question in another form')).toBe('a question in another form');
  });
});
