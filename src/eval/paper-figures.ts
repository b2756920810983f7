import { defaultMethodNames, getMethod, type MethodName } from './methods.js';
import type { TaskId } from './tasks.js';

/** The model behind the paper's figures. */
export const paperModel = 'Claude 3.5';

/** Two figures of one row: accuracy and F1, or MAE and RMSE; undefined where none is recorded. */
export type FigurePair = [number | undefined, number | undefined];

/**
 * The paper's figures (Zhang et al. 2025, arXiv 2506.06254) that this project has on record: Table 2's
 * PersonaAgent row and each task's best baseline, and Table 3's LaMP-1 accuracies. The paper's tables
 * themselves are not at hand, so every other cell is shown as "–" (not on record), never guessed.
 */
const figures: Record<TaskId, Partial<Record<MethodName, FigurePair>>> = {
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
};

// The paper's strongest baseline per task.
const bestBaselines: Record<TaskId, MethodName> = { lamp1: 'membank', lamp2m: 'membank', lamp2n: 'pag4', lamp3: 'icl' };

/** Why cells are missing, for the report. */
export const missingFiguresReason = "the paper's Tables 2 and 3 are not at hand here; only the figures in this project's notes on the paper are on record, and no cell is guessed";

/** The paper's figures for a method on a task, where recorded. */
export function paperFigures(task: TaskId, method: MethodName): FigurePair {
  return figures[task][method] ?? [undefined, undefined];
}

/** The paper's best baseline on a task and its figures. */
export function paperBestBaseline(task: TaskId): { method: MethodName; figures: FigurePair } {
  const method = bestBaselines[task];
  return { method, figures: paperFigures(task, method) };
}

/** Every cell on record for a task, in the paper's row order, whether or not the run has the method. */
export function recordedFigures(task: TaskId): Array<{ method: MethodName; figures: FigurePair }> {
  return defaultMethodNames.filter((method) => figures[task][method] !== undefined).map((method) => ({ method, figures: paperFigures(task, method) }));
}

/** The paper's rows (Tables 2 and 3) on a task with both cells, or only the second, not on record. */
export function missingFigures(task: TaskId): { both: string[]; second: string[] } {
  const labels = (test: (pair: FigurePair) => boolean) => defaultMethodNames.filter((method) => test(paperFigures(task, method))).map((method) => getMethod(method).label);
  return { both: labels(([first]) => first === undefined), second: labels(([first, second]) => first !== undefined && second === undefined) };
}
