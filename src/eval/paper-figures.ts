import { defaultMethodNames, getMethod, type MethodName } from './methods.js';
import type { TaskId } from './tasks.js';

/** The model behind the paper's figures. */
export const paperModel = 'Claude 3.5';

/** Two figures of one row: accuracy and F1, or MAE and RMSE; undefined where none is recorded. */
export type FigurePair = [number | undefined, number | undefined];

/** The paper's figures as one source gives them, and where that source is. */
export interface PaperTranscription {
  /** Where the figures were read, for the report's footnote. */
  source: string;
  figures: Partial<Record<TaskId, Partial<Record<MethodName, FigurePair>>>>;
}

/**
 * The paper's figures (Zhang et al. 2025, arXiv 2506.06254) on record, one entry per source, each cell as
 * that source gives it. The paper's tables themselves are not at hand: every cell here is a transcription,
 * kept only where it agrees with the others on the cells they share; a cell no source gives stays "–".
 */
export const paperTranscriptions: readonly PaperTranscription[] = [
  {
    source: "this project's notes on the paper (Table 2's PersonaAgent row and best baselines, Table 3's LaMP-1 accuracies)",
    figures: {
      lamp1: {
        membank: [0.862, 0.861],
        'persona-agent': [0.919, 0.918],
        'persona-agent-no-align': [0.894, undefined],
        'persona-agent-no-persona': [0.846, undefined],
        'persona-agent-no-memory': [0.821, undefined],
        'persona-agent-no-actions': [0.764, undefined],
      },
      lamp2m: { membank: [0.47, 0.391], 'persona-agent': [0.513, 0.424] },
      lamp2n: { pag4: [0.768, 0.509], 'persona-agent': [0.796, 0.532] },
      lamp3: { icl: [0.277, 0.543], 'persona-agent': [0.241, 0.509] },
    },
  },
  {
    source:
      "a transcription of the paper's Table 3 (ablations, all four tasks) at https://en.papernotes.org/ACL2026/llm_agent/personaagent_bridging_memory_and_action_for_personalized_llm_agents/, a single source that gives every figure of the notes exactly",
    figures: {
      lamp1: {
        'persona-agent': [0.919, 0.918],
        'persona-agent-no-align': [0.894, 0.893],
        'persona-agent-no-persona': [0.846, 0.855],
        'persona-agent-no-memory': [0.821, 0.841],
        'persona-agent-no-actions': [0.764, 0.789],
      },
      lamp2m: {
        'persona-agent': [0.513, 0.424],
        'persona-agent-no-align': [0.487, 0.403],
        'persona-agent-no-persona': [0.463, 0.361],
        'persona-agent-no-memory': [0.46, 0.365],
        'persona-agent-no-actions': [0.403, 0.329],
      },
      lamp2n: {
        'persona-agent': [0.796, 0.532],
        'persona-agent-no-align': [0.775, 0.502],
        'persona-agent-no-persona': [0.769, 0.483],
        'persona-agent-no-memory': [0.646, 0.388],
        'persona-agent-no-actions': [0.626, 0.375],
      },
      lamp3: {
        'persona-agent': [0.241, 0.509],
        'persona-agent-no-align': [0.259, 0.56],
        'persona-agent-no-persona': [0.277, 0.542],
        'persona-agent-no-memory': [0.348, 0.661],
        'persona-agent-no-actions': [0.375, 0.756],
      },
    },
  },
  {
    source:
      "a transcription of the paper's Table 2 (its Non-Personalized, ReAct, MemBank and PersonaAgent rows on LaMP-2M, LaMP-2N and LaMP-3) in the README of the code of Liang et al. 2025, PersonaAgent with GraphRAG (arXiv 2511.17467, https://anonymous.4open.science/r/PersonaAgentwGraphRAG-DE6F), a single source whose PersonaAgent and LaMP-2M MemBank figures match the notes",
    figures: {
      lamp2m: { prompt: [0.387, 0.302], react: [0.45, 0.378], membank: [0.47, 0.391], 'persona-agent': [0.513, 0.424] },
      lamp2n: { prompt: [0.66, 0.386], react: [0.639, 0.381], membank: [0.741, 0.456], 'persona-agent': [0.796, 0.532] },
      lamp3: { prompt: [0.295, 0.59], react: [0.313, 0.59], membank: [0.321, 0.582], 'persona-agent': [0.241, 0.509] },
    },
  },
];

// The paper's strongest baseline per task.
const bestBaselines: Record<TaskId, MethodName> = { lamp1: 'membank', lamp2m: 'membank', lamp2n: 'pag4', lamp3: 'icl' };

/** Why cells are missing, for the report. */
export const missingFiguresReason = "the paper's Tables 2 and 3 are not at hand here; the figures on record are transcriptions from the sources named below, and a cell none of them gives is not guessed";

/** The paper's figures for a method on a task, where recorded: each cell from the first source that gives it. */
export function paperFigures(task: TaskId, method: MethodName): FigurePair {
  const pairs = paperTranscriptions.map((transcription) => transcription.figures[task]?.[method] ?? [undefined, undefined]);
  return [pairs.find(([first]) => first !== undefined)?.[0], pairs.find(([, second]) => second !== undefined)?.[1]];
}

/** Where the figures on record for a task were read. */
export function paperSources(task: TaskId): string[] {
  return paperTranscriptions.filter((transcription) => Object.keys(transcription.figures[task] ?? {}).length > 0).map((transcription) => transcription.source);
}

/** The paper's best baseline on a task and its figures. */
export function paperBestBaseline(task: TaskId): { method: MethodName; figures: FigurePair } {
  const method = bestBaselines[task];
  return { method, figures: paperFigures(task, method) };
}

/** Every cell on record for a task, in the paper's row order, whether or not the run has the method. */
export function recordedFigures(task: TaskId): Array<{ method: MethodName; figures: FigurePair }> {
  return defaultMethodNames.map((method) => ({ method, figures: paperFigures(task, method) })).filter(({ figures: [first, second] }) => first !== undefined || second !== undefined);
}

/** The paper's rows (Tables 2 and 3) on a task with both cells, or only the second, not on record. */
export function missingFigures(task: TaskId): { both: string[]; second: string[] } {
  const labels = (test: (pair: FigurePair) => boolean) => defaultMethodNames.filter((method) => test(paperFigures(task, method))).map((method) => getMethod(method).label);
  return { both: labels(([first]) => first === undefined), second: labels(([first, second]) => first !== undefined && second === undefined) };
}
