import { describe, expect, it } from 'vitest';
import { getMethod, type MethodName } from './methods.js';
import { missingFigures, paperBestBaseline, paperFigures, paperSources, paperTranscriptions, recordedFigures } from './paper-figures.js';
import { taskIds } from './tasks.js';

describe('the paper figures on record', () => {
  it('takes no cell on which two sources disagree', () => {
    for (const task of taskIds) {
      const methods = new Set(paperTranscriptions.flatMap((transcription) => Object.keys(transcription.figures[task] ?? {}) as MethodName[]));
      for (const method of methods) {
        const given = paperTranscriptions.map((transcription) => transcription.figures[task]?.[method]).filter((pair) => pair !== undefined);
        for (const index of [0, 1]) {
          const values = new Set(given.map((pair) => pair[index]).filter((value) => value !== undefined));
          expect(values.size, `${task} ${method} cell ${index}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('keeps each task\'s best baseline ahead of every other Table 2 baseline on record', () => {
    for (const task of taskIds) {
      const best = paperBestBaseline(task);
      const lowerIsBetter = task === 'lamp3';
      const others = recordedFigures(task).filter(({ method }) => method !== best.method && method !== 'persona-agent' && !getMethod(method).ablation);
      for (const { method, figures } of others) {
        const [bestFirst, otherFirst] = [best.figures[0]!, figures[0]!];
        expect(lowerIsBetter ? bestFirst < otherFirst : bestFirst > otherFirst, `${task}: ${best.method} against ${method}`).toBe(true);
      }
    }
  });

  it('merges the transcriptions cell by cell: Table 3 on all four tasks, Table 2 baselines where a source gives them', () => {
    expect(paperFigures('lamp1', 'persona-agent-no-align')).toEqual([0.894, 0.893]);
    expect(paperFigures('lamp2n', 'persona-agent-no-memory')).toEqual([0.646, 0.388]);
    expect(paperFigures('lamp3', 'persona-agent-no-actions')).toEqual([0.375, 0.756]);
    expect(paperFigures('lamp3', 'membank')).toEqual([0.321, 0.582]);
    expect(paperFigures('lamp2m', 'prompt')).toEqual([0.387, 0.302]);
    expect(paperFigures('lamp1', 'react')).toEqual([undefined, undefined]);
  });

  it('names the rows still missing per task, never guessing them', () => {
    expect(missingFigures('lamp1')).toEqual({ both: ['Prompt (non-personalised)', 'ICL', 'RAG-1', 'RAG-4', 'PAG-4', 'ReAct'], second: [] });
    expect(missingFigures('lamp2m')).toEqual({ both: ['ICL', 'RAG-1', 'RAG-4', 'PAG-4'], second: [] });
    expect(missingFigures('lamp2n')).toEqual({ both: ['ICL', 'RAG-1', 'RAG-4'], second: [] });
    expect(missingFigures('lamp3')).toEqual({ both: ['RAG-1', 'RAG-4', 'PAG-4'], second: [] });
  });

  it('says where each task\'s figures were read', () => {
    expect(paperSources('lamp1')).toHaveLength(2);
    expect(paperSources('lamp1').join(' ')).toContain('https://en.papernotes.org/');
    expect(paperSources('lamp1').join(' ')).not.toContain('2511.17467');
    for (const task of ['lamp2m', 'lamp2n', 'lamp3'] as const) expect(paperSources(task).join(' ')).toContain('arXiv 2511.17467');
  });
});
