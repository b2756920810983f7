import type { MethodName } from './methods.js';
import type { TaskId } from './tasks.js';

/** The model behind the paper's figures. */
export const paperModel = 'Claude 3.5';

/** Two figures of one row: accuracy and F1, or MAE and RMSE; undefined where none is recorded. */
export type FigurePair = [number | undefined, number | undefined];

/**
 * The paper's figures (Zhang et al. 2025, arXiv 2506.06254) that this project has on record: Table 2's
 * PersonaAgent row and each task's best baseline, and Table 3's LaMP-1 accuracies. Table 3 reports its
 * ablations on every task; the cells not listed here are shown as "–" (not recorded), never as zero.
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

/** The paper's figures for a method on a task, where recorded. */
export function paperFigures(task: TaskId, method: MethodName): FigurePair {
  return figures[task][method] ?? [undefined, undefined];
}

/** The paper's best baseline on a task and its figures. */
export function paperBestBaseline(task: TaskId): { method: MethodName; figures: FigurePair } {
  const method = bestBaselines[task];
  return { method, figures: paperFigures(task, method) };
}
