import type { Core } from './main.js';
import { EmbeddingMismatchError, ModelError } from './core/errors.js';
import type { ModelReport } from './llm/model-client.js';

/** Why the bot cannot start. */
export type StartupCode = 'OLLAMA_UNREACHABLE' | 'MODEL_SERVER_UNREACHABLE' | 'MODEL_UNAUTHORISED' | 'MODEL_NOT_PULLED' | 'MODEL_UNSUITABLE' | 'EMBEDDING_MISMATCH' | 'EMBEDDING_FAILED';

/** A known reason the bot cannot start, with the fix in the message. Printed without a stack trace. */
export class StartupError extends Error {
  constructor(
    readonly code: StartupCode,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** One line of `doctor` output; a failed check carries the start-up code it stands for. */
export interface Check {
  ok: boolean;
  name: string;
  detail: string;
  code?: StartupCode;
  /** Worth fixing, but the bot runs (shown with ⚠, never stops start-up). */
  warning?: boolean;
}

/** Checks the model servers, both models (what they are and can do), the embedding space and the database. */
export async function runChecks(core: Core): Promise<Check[]> {
  const { store, config } = core;
  const { chat, embed } = await core.model.inspect();
  const checks: Check[] = [{ ok: true, name: 'settings', detail: `database ${config.DATABASE_PATH}, chat ${chat.model} (${chat.provider}), embeddings ${embed.model} (${embed.provider})` }];
  const servers = chat.endpoint === embed.endpoint ? [chat] : [chat, embed];
  checks.push(...servers.map(serverCheck));
  if (servers.some((report) => !report.reachable)) return checks;
  const chatRefused = refusal(chat);
  const embedRefused = refusal(embed);
  checks.push(...chatRefused, ...(chatRefused.length === 0 ? chatChecks(core, chat) : []), ...embedRefused);
  if (chatRefused.length + embedRefused.length > 0) return checks;
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
  const failed = checks.filter((check) => !check.ok);
  if (failed.length === 0) {
    const { model } = core;
    core.logger.info({ model: model.modelName, capabilities: model.capabilities, contextTokens: model.contextTokens }, 'model ready');
    return checks;
  }
  throw new StartupError(failed[0]!.code ?? 'MODEL_NOT_PULLED', `persona-bot cannot start:\n${failed.map((check) => `  - ${check.detail}`).join('\n')}`);
}

function serverCheck(report: ModelReport): Check {
  const name = report.provider;
  if (report.reachable) return { ok: true, name, detail: `reachable at ${report.endpoint}${report.serverKind && report.provider === 'openai' ? ` (${report.serverKind})` : ''}` };
  if (report.provider === 'ollama') {
    return { ok: false, name, code: 'OLLAMA_UNREACHABLE', detail: `Ollama is not reachable at ${report.endpoint}. Start it with \`ollama serve\` (or \`docker compose up\`), or point OLLAMA_HOST at it.` };
  }
  return { ok: false, name, code: 'MODEL_SERVER_UNREACHABLE', detail: `The OpenAI-compatible server is not reachable at ${report.endpoint}. Start it (llama-server, vllm serve, LM Studio's server) or point OPENAI_BASE_URL at it.` };
}

/** A model the bot cannot use: refused access, not on the server, or not the kind of model its role needs. */
function refusal(report: ModelReport): Check[] {
  const setting = settingFor(report);
  if (report.error) return [{ ok: false, name: 'model', code: report.error.code === 'MODEL_UNAUTHORISED' ? 'MODEL_UNAUTHORISED' : 'MODEL_NOT_PULLED', detail: `${report.model}: ${report.error.message}` }];
  if (report.present === false) {
    const fix = report.provider === 'ollama' ? `is not pulled. Run: ollama pull ${report.model}` : `is not served at ${report.endpoint} (see its /v1/models); check ${setting}.`;
    return [{ ok: false, name: 'model', code: 'MODEL_NOT_PULLED', detail: `${report.model} ${fix}` }];
  }
  const capabilities = report.capabilities;
  if (!capabilities) return [];
  if (report.role === 'embeddings' && !capabilities.includes('embedding')) {
    const fix = report.provider === 'ollama' ? `such as nomic-embed-text (ollama pull nomic-embed-text)` : `the server serves`;
    return [{ ok: false, name: 'embeddings', code: 'MODEL_UNSUITABLE', detail: `${report.model} is not an embedding model (it reports: ${capabilities.join(', ') || 'nothing'}). Set ${setting} to an embedding model ${fix}.` }];
  }
  if (report.role === 'chat' && capabilities.includes('embedding') && !capabilities.includes('completion')) {
    return [{ ok: false, name: 'model', code: 'MODEL_UNSUITABLE', detail: `${report.model} is an embedding model, not a chat model. Set ${setting} to a chat model (e.g. qwen2.5:3b).` }];
  }
  return [];
}

/** What the chat model can do and the context prompts are assembled for; without tools, how the bot answers instead. */
function chatChecks(core: Core, chat: ModelReport): Check[] {
  const { capabilities, contextTokens } = core.model;
  const said = capabilities.source === 'server' ? 'the server reports' : 'from settings, the server does not say';
  const can = [capabilities.tools && 'tools', capabilities.vision && 'vision', capabilities.thinking && 'thinking'].filter(Boolean).join(', ') || 'plain chat';
  const where = chat.contextLength !== null ? ` (the server: ${chat.contextLength}, ${chat.contextSource ?? 'reported'})` : ' (from settings; the server does not say)';
  const checks: Check[] = [{ ok: true, name: 'chat', detail: `${chat.model}: ${can} (${said}); prompts fit ${contextTokens} tokens${where}` }];
  const asked = core.config.OLLAMA_NUM_CTX;
  if (chat.provider === 'ollama' && chat.contextLength !== null && asked > chat.contextLength) {
    checks.push({ ok: true, warning: true, name: 'context', detail: `OLLAMA_NUM_CTX is ${asked} but ${chat.model} was trained on ${chat.contextLength} tokens; Ollama uses ${chat.contextLength}, and so do the bot's prompts. Set OLLAMA_NUM_CTX=${chat.contextLength} or less.` });
  }
  if (!capabilities.tools) {
    checks.push({ ok: true, name: 'tools', detail: `${chat.model} does not take tools: each answer gets the member's memories searched before the question, and no tools are offered.` });
  }
  return checks;
}

function settingFor(report: ModelReport): string {
  if (report.provider === 'ollama') return report.role === 'chat' ? 'OLLAMA_MODEL' : 'OLLAMA_EMBED_MODEL';
  return report.role === 'chat' ? 'OPENAI_MODEL' : 'OPENAI_EMBED_MODEL';
}

async function embeddingCheck(core: Core): Promise<Check> {
  const model = core.model.embedModel;
  try {
    const [vector] = await core.model.embed(['persona-bot start-up check']);
    core.store.index.checkEmbeddingModel(model, vector?.length ?? null);
    return { ok: true, name: 'embeddings', detail: `${model}, ${vector?.length} dimensions` };
  } catch (error) {
    if (error instanceof EmbeddingMismatchError) return { ok: false, name: 'embeddings', code: 'EMBEDDING_MISMATCH', detail: error.message };
    if (error instanceof ModelError) return { ok: false, name: 'embeddings', code: 'EMBEDDING_FAILED', detail: error.message };
    throw error;
  }
}
