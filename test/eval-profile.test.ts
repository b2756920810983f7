import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingWordModel, useTempDir } from './eval-support.js';
import { ProfileWriter } from '../src/core/profile.js';
import { defaultPromptsDir, Prompts } from '../src/core/prompts.js';
import { Store } from '../src/memory/store.js';
import { EvalPrompts } from '../src/eval/eval-prompts.js';
import { importMemory, memoryItems } from '../src/eval/memory-import.js';
import { profileSource } from '../src/eval/profile-source.js';
import { getTask } from '../src/eval/tasks.js';

const scratch = useTempDir();

describe('the evaluation\'s semantic profile', () => {
  it('reads the whole history with the task\'s own prompt, each item as its content and label', async () => {
    const task = getTask('lamp2m');
    const evalPrompts = EvalPrompts.load(defaultPromptsDir);
    const long = 'A crew crosses the galaxy. '.repeat(20).trim();
    const user = {
      userId: 'ana',
      questions: [],
      profile: Array.from({ length: 45 }, (_, index) => ({ id: `a${index}`, fields: { description: `${index}: ${long}`, tag: index % 3 === 0 ? 'comedy' : 'sci-fi' }, date: null })),
    };
    const store = Store.open(join(scratch.path, 'eval.db'));
    try {
      const model = new RecordingWordModel();
      const items = memoryItems(user, 'all', { batchSize: 3, pool: [] }, { prompts: evalPrompts, task });
      const { memberId } = await importMemory({ store, model, prompts: evalPrompts, task, embedModel: 'embed' }, user, items);
      const writer = new ProfileWriter({ store, model, prompts: Prompts.load(defaultPromptsDir), temperature: 0.1, source: profileSource(task, evalPrompts) });
      // 45 long items do not fit one 8 192-token prompt: they are read in chunks, each folded into the last summary.
      const { modelCalls } = await writer.refresh(memberId);
      expect(modelCalls).toBe(model.prompts.length);
      expect(modelCalls).toBeGreaterThan(1);
      const prompt = model.prompts.join('\n');
      model.prompts.forEach((text) => expect(text).toMatch(/^You write the taste profile of one movie viewer/));
      // All 45 items once, oldest first, whole, without the template.
      expect(prompt.match(/^- \d+: /gm)).toHaveLength(45);
      expect(prompt).toContain(`- 0: ${long} → comedy`);
      expect(prompt).toContain(`- 44: ${long} → sci-fi`);
      expect(prompt.indexOf('- 0: ')).toBeLessThan(prompt.indexOf('- 44: '));
      expect(prompt).not.toContain('Which tag does this movie');
      expect(store.profile(memberId)?.summary).toBe(`reply ${modelCalls}`);
    } finally {
      store.close();
    }
  });
});
