import type { MethodName } from './methods.js';
import type { TaskId } from './tasks.js';

/** The model behind the paper's figures. */
export const paperModel = 'Claude 3.5';

/** Two figures of one row: accuracy and F1, or MAE and RMSE; undefined where the paper gives none. */
export type FigurePair = [number | undefined, number | undefined];

// PersonaAgent's row of Table 2 and the LaMP-1 accuracies of Table 3 (Zhang et al. 2025, arXiv 2506.06254).
const figures: Partial<Record<TaskId, Partial<Record<MethodName, FigurePair>>>> = {
  lamp1: {
    'persona-agent': [0.919, 0.918],
    'persona-agent-no-align': [0.894, undefined],
    'persona-agent-no-persona': [0.846, undefined],
    'persona-agent-no-memory': [0.821, undefined],
    'persona-agent-no-actions': [0.764, undefined],
  },
  lamp2m: { 'persona-agent': [0.513, 0.424] },
  lamp2n: { 'persona-agent': [0.796, 0.532], pag4: [0.768, 0.509] },
  lamp3: { 'persona-agent': [0.241, 0.509] },
};

// The paper's strongest baseline per task; MemBank and ICL are not methods of this harness.
const bestBaselines: Record<TaskId, { name: string; figures: [number, number] }> = {
  lamp1: { name: 'MemBank', figures: [0.862, 0.861] },
  lamp2m: { name: 'MemBank', figures: [0.47, 0.391] },
  lamp2n: { name: 'PAG-4', figures: [0.768, 0.509] },
  lamp3: { name: 'ICL', figures: [0.277, 0.543] },
};

/** The paper's figures for a method on a task, where it reports them. */
export function paperFigures(task: TaskId, method: MethodName): FigurePair {
  return figures[task]?.[method] ?? [undefined, undefined];
}

/** The paper's best baseline on a task. */
export function paperBestBaseline(task: TaskId): { name: string; figures: [number, number] } {
  return bestBaselines[task];
}
