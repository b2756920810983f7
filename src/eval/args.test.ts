import { describe, expect, it } from 'vitest';
import { EvalUsageError, parseEvalArgs } from './args.js';
import { defaultMethodNames } from './methods.js';

describe('parseEvalArgs', () => {
  it('fills the defaults', () => {
    expect(parseEvalArgs(['--task', 'lamp2n', '--data', 'lamp'])).toEqual({
      task: 'lamp2n',
      data: 'lamp',
      split: 'dev',
      questionsFile: undefined,
      outputsFile: undefined,
      methods: [...defaultMethodNames],
      methodsGiven: false,
      users: 100,
      limitQuestions: undefined,
      model: undefined,
      out: 'results',
      wikipedia: true,
      sweeps: [],
    });
  });

  it('reads sweeps and the analyse command', () => {
    const options = parseEvalArgs(['--task', 'lamp2m', '--data', 'd', '--sweep', 'n=5,1,3', '--sweep', 'K=8,1']);
    expect(options).toMatchObject({ sweeps: [{ parameter: 'n', values: [1, 3, 5] }, { parameter: 'k', values: [1, 8] }] });
    expect(parseEvalArgs(['analyse', 'results/run.json'])).toEqual({ command: 'analyse', run: 'results/run.json' });
    expect(() => parseEvalArgs(['analyse'])).toThrow('analyse takes one argument');
  });

  it('reads every option and keeps methods in the paper\'s order', () => {
    const options = parseEvalArgs(['--task=lamp1', '--questions', 'q.json', '--outputs', 'o.json', '--methods', 'persona-agent, prompt,rag4', '--users', '5', '--limit-questions', '12', '--model', 'llama3.2:3b', '--out', 'r', '--no-wiki', '--split', 'train']);
    expect(options).toMatchObject({ task: 'lamp1', questionsFile: 'q.json', outputsFile: 'o.json', methods: ['prompt', 'rag4', 'persona-agent'], methodsGiven: true, users: 5, limitQuestions: 12, model: 'llama3.2:3b', out: 'r', wikipedia: false, split: 'train' });
    expect(parseEvalArgs(['--help'])).toBe('help');
  });

  it('explains each mistake', () => {
    const cases: Array<[string[], string]> = [
      [[], '--task is required'],
      [['--task', 'lamp2'], 'Unknown task "lamp2"'],
      [['--task', 'lamp1'], '--data <dir> is required'],
      [['--task', 'lamp1', '--questions', 'q.json'], '--outputs <file> is required'],
      [['--task', 'lamp1', '--data', 'd', '--users', '0'], '--users must be a whole number above 0, not "0"'],
      [['--task', 'lamp1', '--data', 'd', '--limit-questions', '2.5'], '--limit-questions must be a whole number'],
      [['--task', 'lamp1', '--data', 'd', '--methods', 'rag2,pag4'], 'Unknown method(s) "rag2"'],
      [['--task', 'lamp1', '--data', 'd', '--methods', ','], '--methods lists no method'],
      [['--task', 'lamp1', '--data', 'd', 'extra'], 'Unexpected argument'],
      [['--task', 'lamp1', '--data', 'd', '--sweep', 'temperature=1,2'], 'the settings are n, E and k'],
      [['--task', 'lamp1', '--data', 'd', '--sweep', 'E=1,0'], '--sweep E must be a whole number above 0, not "0"'],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseEvalArgs(argv), argv.join(' ')).toThrow(EvalUsageError);
      expect(() => parseEvalArgs(argv)).toThrow(message);
    }
  });
});
