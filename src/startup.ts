import type { Core } from './main.js';
import { EmbeddingMismatchError, ModelError } from './core/errors.js';

/** A known reason the bot cannot start, with the fix in the message. Printed without a stack trace. */
export class StartupError extends Error {
  constructor(
    readonly code: 'OLLAMA_UNREACHABLE' | 'MODEL_NOT_PULLED' | 'EMBEDDING_MISMATCH' | 'EMBEDDING_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** One line of `doctor` output. */
export interface Check {
  ok: boolean;
  name: string;
  detail: string;
}

/** Checks Ollama, both models and the embedding space; returns every finding. */
export async function runChecks(core: Core): Promise<Check[]> {
  const { config, model, store } = core;
  const checks: Check[] = [{ ok: true, name: 'settings', detail: `database ${config.DATABASE_PATH}, model ${config.OLLAMA_MODEL}, embeddings ${config.OLLAMA_EMBED_MODEL}` }];
  const status = await model.status();
  if (!status.reachable) {
    checks.push({ ok: false, name: 'ollama', detail: `Ollama is not reachable at ${config.OLLAMA_HOST}. Start it with \`ollama serve\` (or \`docker compose up\`), or point OLLAMA_HOST at it.` });
    return checks;
  }
  checks.push({ ok: true, name: 'ollama', detail: `reachable at ${config.OLLAMA_HOST}` });
  for (const name of status.missing) checks.push({ ok: false, name: 'model', detail: `${name} is not pulled. Run: ollama pull ${name}` });
  if (status.chatSupportsTools === false) checks.push({ ok: false, name: 'tools', detail: `${config.OLLAMA_MODEL} does not support tool calling; choose a model that does (e.g. qwen2.5:3b, llama3.2:3b).` });
  if (status.missing.includes(config.OLLAMA_EMBED_MODEL)) return checks;
  checks.push(await embeddingCheck(core));
  const members = store.listMembers();
  checks.push({ ok: true, name: 'database', detail: `${members.length} members, ${members.reduce((sum, member) => sum + member.interactions, 0)} interactions` });
  const unanswered = store.claims.countPendingBefore(new Date(Date.now() - config.RECOVER_WINDOW_MINUTES * 60_000));
  if (unanswered > 0) {
    checks.push({ ok: true, name: 'unanswered', detail: `${unanswered} question${unanswered === 1 ? ' was' : 's were'} left without an answer more than RECOVER_WINDOW_MINUTES (${config.RECOVER_WINDOW_MINUTES}) ago, while the bot was down; they are not answered after a restart` });
  }
  return checks;
}

/** Fails start-up with one clear message when a check that the bot cannot run without fails. */
export async function assertReady(core: Core): Promise<Check[]> {
  const checks = await runChecks(core);
  const failed = checks.filter((check) => !check.ok && check.name !== 'tools');
  if (failed.length === 0) return checks;
  const code = failed[0]!.name === 'ollama' ? 'OLLAMA_UNREACHABLE' : failed[0]!.name === 'embeddings' ? 'EMBEDDING_MISMATCH' : 'MODEL_NOT_PULLED';
  throw new StartupError(code, `persona-bot cannot start:\n${failed.map((check) => `  - ${check.detail}`).join('\n')}`);
}

async function embeddingCheck(core: Core): Promise<Check> {
  try {
    const [vector] = await core.model.embed(['persona-bot start-up check']);
    core.store.index.checkEmbeddingModel(core.config.OLLAMA_EMBED_MODEL, vector?.length ?? null);
    return { ok: true, name: 'embeddings', detail: `${core.config.OLLAMA_EMBED_MODEL}, ${vector?.length} dimensions` };
  } catch (error) {
    if (error instanceof EmbeddingMismatchError || error instanceof ModelError) return { ok: false, name: 'embeddings', detail: error.message };
    throw error;
  }
}
