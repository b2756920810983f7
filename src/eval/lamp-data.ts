import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labelIndex, parseRating } from './metrics.js';
import { parseDate } from './profile-dates.js';
import { checkSplit, type SplitReport } from './split-check.js';

export { parseDate } from './profile-dates.js';
import type { TaskSpec } from './tasks.js';

/** A LaMP file is missing or not in a shape the harness reads; the message names the file and the entry. */
export class EvalDataError extends Error {
  readonly code = 'EVAL_DATA';
  constructor(message: string) {
    super(message);
    this.name = 'EvalDataError';
  }
}

/** One item of a user's profile (their history): the task's fields as text, and its date when given. */
export interface ProfileRecord {
  id: string;
  fields: Record<string, string>;
  date: string | null;
}

/** A test question with its gold output. */
export interface EvalQuestion {
  id: string;
  input: string;
  gold: string;
  /** When the question was asked: its own date, else the newest date of the history it came with (ms). */
  asOf?: number;
}

/** A user: their profile in time order (oldest first) and their test questions. */
export interface EvalUser {
  userId: string;
  profile: ProfileRecord[];
  questions: EvalQuestion[];
}

/** Everything read from the data files. */
export interface EvalDataset {
  users: EvalUser[];
  /** Which of LaMP's splits the files are, and what in them looks wrong for it. */
  split: SplitReport;
  files: string[];
  /** A content hash of the files, so results of other data are never resumed into. */
  fingerprint: string;
}

/** Where the data files are: `{split}_questions.json` and `{split}_outputs.json` in `dir`, or explicit files. */
export interface DataLocation {
  dir?: string;
  split: string;
  questionsFile?: string;
  outputsFile?: string;
}

/** A user while their entries are read: profile items by id (first wins), questions without golds. */
interface PendingUser {
  userId: string;
  profile: Map<string, ProfileRecord>;
  questions: Array<Omit<EvalQuestion, 'gold'>>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/**
 * Reads LaMP data in either published shape: a questions file `[{id, input, profile, user_id?}]`, or the
 * per-user file `[{user_id, profile, query: [{id, input}]}]`; golds come from an outputs file
 * `{task, golds: [{id, output}]}`. Questions of one `user_id` make one user; without it, each question does.
 */
export function loadDataset(task: TaskSpec, location: DataLocation): EvalDataset {
  const questionsPath = location.questionsFile ?? join(location.dir ?? '.', `${location.split}_questions.json`);
  const outputsPath = location.outputsFile ?? join(location.dir ?? '.', `${location.split}_outputs.json`);
  const questionsFile = readJson(questionsPath, `the ${task.officialName} questions (an array of questions or of users)`);
  const outputsFile = readJson(outputsPath, `the ${task.officialName} gold outputs ({"task", "golds": [{"id", "output"}]})`);
  const golds = readGolds(outputsFile.data, outputsPath, task);
  const users = readUsers(questionsFile.data, questionsPath, task);
  attachGolds(users, golds, outputsPath, task);
  const fingerprint = createHash('sha256').update(questionsFile.bytes).update(outputsFile.bytes).digest('hex').slice(0, 16);
  return { users, split: checkSplit(questionsFile.data as JsonObject[], users), files: [questionsPath, outputsPath], fingerprint };
}

/**
 * The users with the most history first (`count` of them; ties keep file order), their questions cut so
 * that at most `questionLimit` questions are asked in all. Users left with no question are dropped.
 */
export function selectUsers(users: readonly EvalUser[], count: number, questionLimit = Number.POSITIVE_INFINITY): EvalUser[] {
  const chosen = users
    .map((user, index) => ({ user, index }))
    .sort((a, b) => b.user.profile.length - a.user.profile.length || a.index - b.index)
    .slice(0, count)
    .map(({ user }) => user);
  let left = questionLimit;
  const selected: EvalUser[] = [];
  for (const user of chosen) {
    const questions = user.questions.slice(0, Math.max(0, left));
    left -= questions.length;
    if (questions.length > 0) selected.push({ ...user, questions });
  }
  return selected;
}

function readJson(path: string, what: string): { data: Json; bytes: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EvalDataError(code === 'ENOENT' ? `${path} does not exist; expected ${what}.` : `${path} cannot be read (${code ?? String(error)}).`);
  }
  try {
    return { data: JSON.parse(bytes.toString('utf8')) as Json, bytes };
  } catch (error) {
    throw new EvalDataError(`${path} is not valid JSON (${(error as Error).message}); expected ${what}.`);
  }
}

function readGolds(data: Json, path: string, task: TaskSpec): Map<string, string> {
  if (!isObject(data) || !Array.isArray(data.golds)) throw new EvalDataError(`${path}: expected an object {"task": "${task.officialName}", "golds": [{"id", "output"}]}.`);
  if (typeof data.task === 'string' && !task.outputsTaskNames.includes(data.task)) {
    throw new EvalDataError(`${path}: the file is for task "${data.task}", but --task ${task.id} expects ${task.outputsTaskNames.map((name) => `"${name}"`).join(' or ')}.`);
  }
  const golds = new Map<string, string>();
  data.golds.forEach((entry, index) => {
    const where = `${path}: golds entry ${index}`;
    if (!isObject(entry)) throw new EvalDataError(`${where}: expected an object {"id", "output"}.`);
    const id = readId(entry.id, `${where}: "id"`);
    if (typeof entry.output !== 'string' && typeof entry.output !== 'number') throw new EvalDataError(`${where} (id "${id}"): "output" must be a string.`);
    golds.set(id, String(entry.output));
  });
  return golds;
}

function readUsers(data: Json, path: string, task: TaskSpec): EvalUser[] {
  if (!Array.isArray(data) || data.length === 0) throw new EvalDataError(`${path}: expected a non-empty JSON array of questions [{"id", "input", "profile"}] or of users [{"user_id", "profile", "query"}].`);
  const perUser = isObject(data[0]) && 'query' in data[0];
  const users = new Map<string, PendingUser>();
  const seen = new Set<string>();
  data.forEach((entry, index) => {
    const where = `${path}: entry ${index}`;
    if (!isObject(entry)) throw new EvalDataError(`${where}: expected an object.`);
    const label = (id: string) => `${where} (${perUser ? 'user' : 'id'} "${id}")`;
    const questions = perUser ? readQueries(entry, where) : [readQuestion(entry, where)];
    const userId = perUser ? readId(entry.user_id, `${where}: "user_id"`) : entry.user_id === undefined ? questions[0]!.id : readId(entry.user_id, `${where}: "user_id"`);
    if (!Array.isArray(entry.profile)) throw new EvalDataError(`${label(userId)}: "profile" must be an array of profile items.`);
    const user: PendingUser = users.get(userId) ?? { userId, profile: new Map(), questions: [] };
    entry.profile.forEach((item, itemIndex) => {
      const record = readProfileItem(item, `${label(userId)}, profile item ${itemIndex}`, task);
      if (!user.profile.has(record.id)) user.profile.set(record.id, record);
    });
    const historyEnd = newestDate(entry.profile.map((item) => (isObject(item) ? item.date : undefined)));
    for (const question of questions) {
      question.asOf ??= historyEnd;
      if (seen.has(question.id)) throw new EvalDataError(`${where}: question id "${question.id}" appears more than once.`);
      seen.add(question.id);
      user.questions.push(question);
    }
    users.set(userId, user);
  });
  return [...users.values()].map((user) => ({ userId: user.userId, profile: timeOrdered([...user.profile.values()]), questions: user.questions.map((question) => ({ ...question, gold: '' })) }));
}

function readQuestion(entry: JsonObject, where: string): Omit<EvalQuestion, 'gold'> {
  const id = readId(entry.id, `${where}: "id"`);
  if (typeof entry.input !== 'string') throw new EvalDataError(`${where} (id "${id}"): "input" must be a string (the question text).`);
  const asOf = newestDate([entry.date]);
  return asOf === undefined ? { id, input: entry.input } : { id, input: entry.input, asOf };
}

/** The newest readable date among the values, in ms; undefined when none reads. */
function newestDate(values: Array<Json | undefined>): number | undefined {
  const times = values.flatMap((value) => (typeof value === 'string' || typeof value === 'number' ? [parseDate(String(value))] : [])).filter((time) => !Number.isNaN(time));
  return times.length === 0 ? undefined : Math.max(...times);
}

function readQueries(entry: JsonObject, where: string): Array<Omit<EvalQuestion, 'gold'>> {
  if (!Array.isArray(entry.query)) throw new EvalDataError(`${where}: "query" must be an array of questions [{"id", "input"}].`);
  return entry.query.map((query, index) => {
    if (!isObject(query)) throw new EvalDataError(`${where}, query ${index}: expected an object {"id", "input"}.`);
    return readQuestion(query, `${where}, query ${index}`);
  });
}

function readProfileItem(item: Json, where: string, task: TaskSpec): ProfileRecord {
  const required = [...task.questionFields, task.truthField];
  if (!isObject(item)) throw new EvalDataError(`${where}: expected an object with ${required.map((field) => `"${field}"`).join(', ')}.`);
  const id = readId(item.id, `${where}: "id"`);
  const fields: Record<string, string> = {};
  for (const field of required) {
    const value = item[field];
    // LaMP-3 scores are strings in the published files; numbers are accepted too.
    if (typeof value !== 'string' && !(field === task.truthField && typeof value === 'number')) {
      throw new EvalDataError(`${where} (id "${id}"): "${field}" must be a string (${task.officialName} profile items have ${required.join(', ')}).`);
    }
    fields[field] = String(value);
  }
  for (const field of task.optionalFields) if (typeof item[field] === 'string') fields[field] = item[field];
  const date = typeof item.date === 'string' || typeof item.date === 'number' ? String(item.date) : null;
  return { id, fields, date };
}

function attachGolds(users: EvalUser[], golds: Map<string, string>, path: string, task: TaskSpec): void {
  const missing: string[] = [];
  for (const user of users) {
    for (const question of user.questions) {
      const gold = golds.get(question.id);
      if (gold === undefined) {
        missing.push(question.id);
        continue;
      }
      if (!isValidGold(gold, task)) {
        const expected = task.kind === 'rating' ? 'a rating from 1 to 5' : `one of ${task.labels.map((label) => `"${label}"`).join(', ')}`;
        throw new EvalDataError(`${path}: the gold output of question "${question.id}" is ${JSON.stringify(gold)}; expected ${expected}.`);
      }
      question.gold = gold;
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((id) => `"${id}"`).join(', ');
    throw new EvalDataError(`${path}: no gold output for ${missing.length} question(s), e.g. ${shown}. Is it the outputs file of the same split?`);
  }
}

function isValidGold(gold: string, task: TaskSpec): boolean {
  if (task.kind === 'classification') return labelIndex(gold, task.labels) !== -1;
  const rating = parseRating(gold);
  return rating !== null && rating >= 1 && rating <= 5;
}

/** Sorts by date when every item has a readable one; otherwise the file order is taken as time order. */
function timeOrdered(items: ProfileRecord[]): ProfileRecord[] {
  const times = items.map((item) => (item.date === null ? Number.NaN : parseDate(item.date)));
  if (times.some(Number.isNaN)) return items;
  return items
    .map((item, index) => ({ item, index, time: times[index]! }))
    .sort((a, b) => a.time - b.time || a.index - b.index)
    .map(({ item }) => item);
}

function readId(value: Json | undefined, where: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new EvalDataError(`${where} must be a non-empty string or a number.`);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
