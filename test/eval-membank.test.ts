import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingWordModel, useTempDir } from './eval-support.js';
import { Agent } from '../src/core/agent.js';
import { defaultPromptsDir, Prompts } from '../src/core/prompts.js';
import { Store } from '../src/memory/store.js';
import { EvalPrompts } from '../src/eval/eval-prompts.js';
import { MemBank, PERIOD_ITEMS } from '../src/eval/membank.js';
import { importMemory, memoryItems } from '../src/eval/memory-import.js';
import { PromptFitter } from '../src/eval/prompt-fit.js';
import { getTask } from '../src/eval/tasks.js';

const scratch = useTempDir();

describe('MemBank', () => {
  it('summarises each period, keeps what is recent or recalled, and forgets some of the rest', async () => {
    const task = getTask('lamp2m');
    const prompts = EvalPrompts.load(defaultPromptsDir);
    const words = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'heron', 'inlet', 'jade', 'kelp', 'larch', 'maple', 'nectar', 'onyx', 'pine', 'quartz', 'reed', 'sage'];
    // 21 items: three periods of ten, ten and one. The last item is about the same as the first.
    const descriptions = ['a comet orbit seen by astronomers', ...words.map((word) => `${word} ${word} ${word}`), 'astronomers watch a comet orbit again'];
    const user = { userId: 'uma', questions: [], profile: descriptions.map((description, index) => ({ id: `u${index}`, fields: { description, tag: 'sci-fi' }, date: null })) };
    const store = Store.open(join(scratch.path, 'membank.db'));
    try {
      const model = new RecordingWordModel();
      const items = memoryItems(user, 'all', { batchSize: 3, pool: [] }, { prompts, task });
      const { memberId } = await importMemory({ store, model, prompts, task, embedModel: 'words' }, user, items);
      const agent = new Agent({ model, store, prompts: Prompts.load(defaultPromptsDir), embedModel: 'words', topK: 1, temperature: 0, maxSteps: 1 });
      const bank = new MemBank({ store, model, prompts, agent, fitter: new PromptFitter(model), topK: 1, temperature: 0 });
      const state = await bank.build(memberId, user.userId, items);

      expect(state.summaries).toEqual(['reply 1', 'reply 2', 'reply 3']);
      expect(state.portrait).toBe('reply 4');
      expect(state.modelCalls).toBe(4);
      expect(model.prompts[0]).toContain(`- ${descriptions[0]} → sci-fi`);
      expect(model.prompts[0]!.match(/^- /gm)).toHaveLength(PERIOD_ITEMS);
      expect(model.prompts[3]).toContain('Period 3: reply 3');
      const ids = store.listInteractions(memberId).reverse().map((record) => record.id);
      const kept = new Set(state.kept.map((entry) => entry.id));
      // The newest period is never forgotten; the first item, recalled by the last one, is fresh again.
      expect(kept.has(ids[20]!)).toBe(true);
      expect(kept.has(ids[0]!)).toBe(true);
      // Older items that nothing recalled fade: some are gone.
      expect(kept.size).toBeLessThan(ids.length);
      expect(state.kept.find((entry) => entry.id === ids[0])?.period).toBe(0);

      const answer = await bank.answer(memberId, state, 'Which tag? description: a comet orbit', 'a comet orbit');
      expect(answer.retrievedIds).toEqual([ids[20]]);
      expect(model.prompts[4]).toContain('Period 3: reply 3');
      expect(model.prompts[4]).toContain('Portrait of this user, from their long-term memory:\nreply 4');
    } finally {
      store.close();
    }
  });
});
