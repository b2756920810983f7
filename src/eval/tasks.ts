import type { EvalPromptName } from './eval-prompts.js';

/** The LaMP tasks the harness runs. */
export const taskIds = ['lamp1', 'lamp2m', 'lamp2n', 'lamp3'] as const;

/** A task id as given on the command line. */
export type TaskId = (typeof taskIds)[number];

/** What the metrics do with a task's answers. */
export type TaskKind = 'classification' | 'rating';

/** One LaMP task: its label set, the fields of its profile items and how they become memories. */
export interface TaskSpec {
  id: TaskId;
  /** The name in LaMP's evaluation code and in outputs files (`LaMP_2M`). */
  officialName: string;
  /** Values of an outputs file's `task` field that belong to this task (LaMP's own files say `LaMP_2`). */
  outputsTaskNames: readonly string[];
  title: string;
  kind: TaskKind;
  /** Every label of the task, as in LaMP's evaluation code; macro-F1 averages over all of them. */
  labels: readonly string[];
  /** Profile-item fields that fill the memory question template. */
  questionFields: readonly string[];
  /** The profile-item field that is the member's answer (ground truth) to that question. */
  truthField: string;
  /** The prompt file that turns a profile item into the question it answers. */
  inputPrompt: EvalPromptName;
  /** Profile-item fields read when present (LaMP-2N titles). */
  optionalFields: readonly string[];
  /** Profile-item fields whose text is the item's content: what retrieval embeds and matches (LaMP's corpus). */
  contentFields: readonly string[];
  /** Where the content starts in a question: the text after this marker, or the quoted reference titles (LaMP-1). */
  contentMarker: string | 'quoted-references';
  /** What a user's profile says that the semantic profile should summarise. */
  profilePrompt: EvalPromptName;
}

// Label sets from LaMP's eval/evaluation.py (_get_labels); LaMP-2N is the news label set of the original release.
const tasks: Record<TaskId, TaskSpec> = {
  lamp1: {
    id: 'lamp1',
    officialName: 'LaMP_1',
    outputsTaskNames: ['LaMP_1'],
    title: 'LaMP-1 citation identification',
    kind: 'classification',
    labels: ['[1]', '[2]'],
    // LaMP-1 profile items are the author's papers and carry no reference label: the memory is title → abstract.
    questionFields: ['title'],
    truthField: 'abstract',
    inputPrompt: 'eval-input-lamp1',
    optionalFields: [],
    contentFields: ['title', 'abstract'],
    contentMarker: 'quoted-references',
    profilePrompt: 'eval-profile-lamp1',
  },
  lamp2m: {
    id: 'lamp2m',
    officialName: 'LaMP_2M',
    outputsTaskNames: ['LaMP_2M', 'LaMP_2'],
    title: 'LaMP-2M movie tagging',
    kind: 'classification',
    labels: ['sci-fi', 'based on a book', 'comedy', 'action', 'twist ending', 'dystopia', 'dark comedy', 'classic', 'psychology', 'fantasy', 'romance', 'thought-provoking', 'social commentary', 'violence', 'true story'],
    questionFields: ['description'],
    truthField: 'tag',
    inputPrompt: 'eval-input-lamp2m',
    optionalFields: [],
    contentFields: ['description'],
    contentMarker: 'description:',
    profilePrompt: 'eval-profile-lamp2m',
  },
  lamp2n: {
    id: 'lamp2n',
    officialName: 'LaMP_2N',
    outputsTaskNames: ['LaMP_2N', 'LaMP_2'],
    title: 'LaMP-2N news categorisation',
    kind: 'classification',
    labels: ['food & drink', 'sports', 'education', 'parents', 'religion', 'travel', 'business', 'crime', 'science & technology', 'culture & arts', 'entertainment', 'politics', 'women', 'style & beauty', 'healthy living'],
    questionFields: ['text'],
    truthField: 'category',
    inputPrompt: 'eval-input-lamp2n',
    optionalFields: ['title'],
    contentFields: ['title', 'text'],
    contentMarker: 'article:',
    profilePrompt: 'eval-profile-lamp2n',
  },
  lamp3: {
    id: 'lamp3',
    officialName: 'LaMP_3',
    outputsTaskNames: ['LaMP_3'],
    title: 'LaMP-3 product rating',
    kind: 'rating',
    labels: ['1', '2', '3', '4', '5'],
    questionFields: ['text'],
    truthField: 'score',
    inputPrompt: 'eval-input-lamp3',
    optionalFields: [],
    contentFields: ['text'],
    contentMarker: 'review:',
    profilePrompt: 'eval-profile-lamp3',
  },
};

/** The task with this id, or undefined for an unknown id. */
export function findTask(id: string): TaskSpec | undefined {
  return (taskIds as readonly string[]).includes(id) ? tasks[id as TaskId] : undefined;
}

/** The task with this id. */
export function getTask(id: TaskId): TaskSpec {
  return tasks[id];
}

/**
 * The content of a test question: the text after the template's fixed part (LaMP's query for retrieval).
 * LaMP-1 asks about two references; its content is their titles, as LaMP's retrieval query is. A question
 * without the marker is taken whole.
 */
export function questionContent(task: TaskSpec, input: string): string {
  if (task.contentMarker === 'quoted-references') {
    const quoted = [...input.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
    return quoted.length >= 3 ? quoted.slice(1).join(' ') : input;
  }
  const at = input.indexOf(task.contentMarker);
  return at === -1 ? input : input.slice(at + task.contentMarker.length).trim();
}

/** The content of a profile item: its content fields that are present, joined (LaMP's retrieval corpus). */
export function itemContent(task: TaskSpec, fields: Record<string, string>): string {
  return task.contentFields
    .map((field) => fields[field]?.trim() ?? '')
    .filter((text) => text !== '')
    .join('. ');
}
