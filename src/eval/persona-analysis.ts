import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { heatmap, JACCARD_SCALE, scatterChart, writeChart, type ChartFiles } from '../analysis/charts.js';
import { describeProjection, jaccardMatrix, projectTo2d } from '../analysis/persona-map.js';
import { loadConfig, modelChoice } from '../config.js';
import { createModelClient } from '../llm/model-client.js';
import { Store } from '../memory/store.js';
import { EvalUsageError } from './args.js';
import { CachingModel, DiskCache } from './model-cache.js';
import { embedScope } from './model-backend.js';
import { UsageMeter } from './usage-meter.js';

/** One user's final persona in a method's run. */
export interface ExportedPersona {
  userId: string;
  /** The label the user gave most often in their history (ties: the first given). */
  majorityLabel: string;
  versionId: number;
  /** Why the live version exists: init (never aligned), aligned, reset. */
  reason: string;
  text: string;
}

/** What the analysis wrote. */
export interface AnalysisFiles {
  personas: { json: string; md: string };
  map: ChartFiles;
  overlap: ChartFiles;
}

/** The part of a run's JSON report the analysis reads. */
interface RunReport {
  task: string;
  settings: { embedModel: string };
  methods: Array<{ method: string; label: string; files: { database: string }; setups: Array<{ userId: string; memberId: number; personaVersionId?: number }> }>;
}

/** The methods whose users have personas, the paper's own first. */
const PERSONA_METHODS = ['persona-agent', 'persona-agent-no-align', 'persona-agent-no-memory', 'persona-agent-no-actions'];

/**
 * `npm run eval -- analyse <run>`: exports every user's final persona of each persona method, and for
 * the first of them (PersonaAgent when it ran) draws a 2-D map of the persona embeddings coloured by
 * each user's majority label (like the paper's Figure 2) and the users × users Jaccard overlap of
 * persona words (like its appendix), each as SVG and PNG with the data beside them in JSON.
 */
export async function analyseRun(run: string, env: Record<string, string | undefined>): Promise<AnalysisFiles> {
  const base = run.endsWith('.json') ? run.slice(0, -'.json'.length) : run;
  if (!existsSync(`${base}.json`)) throw new EvalUsageError(`${base}.json does not exist: give the report a run wrote (<out>/<task>-…-<hash>.json).`);
  const report = JSON.parse(readFileSync(`${base}.json`, 'utf8')) as RunReport;
  const exported = report.methods.filter((method) => PERSONA_METHODS.includes(method.method)).map((method) => ({ method: method.method, label: method.label, personas: readPersonas(method) }));
  const main = exported.find((entry) => entry.personas.length > 0);
  if (!main) throw new EvalUsageError(`${base}.json has no persona method with personas (run persona-agent or one of its ablations first).`);
  const personas = { json: `${base}-personas.json`, md: `${base}-personas.md` };
  writeFileSync(personas.json, `${JSON.stringify({ task: report.task, methods: exported }, null, 2)}\n`);
  writeFileSync(personas.md, personasMarkdown(report.task, exported));
  const vectors = await embedPersonas(main.personas.map((persona) => persona.text), report.settings.embedModel, dirname(base), env);
  const points = projectTo2d(vectors);
  const map = await writeChart(
    scatterChart({
      title: `${report.task}: ${main.label} personas, coloured by each user's most frequent label`,
      subtitle: describeProjection(vectors.length),
      points: main.personas.map((persona, index) => ({ ...points[index]!, label: persona.userId, group: persona.majorityLabel, tooltip: `${persona.userId} (${persona.majorityLabel})` })),
    }),
    `${base}-persona-map`,
  );
  const users = main.personas.map((persona) => persona.userId);
  const overlap = await writeChart(heatmap({ title: `${report.task}: overlap of ${main.label} persona words (Jaccard)`, rows: users, columns: users, values: jaccardMatrix(main.personas.map((persona) => persona.text)), scale: JACCARD_SCALE }), `${base}-persona-overlap`);
  return { personas, map, overlap };
}

function readPersonas(method: RunReport['methods'][number]): ExportedPersona[] {
  const store = Store.open(method.files.database);
  try {
    return method.setups.flatMap((setup) => {
      const persona = store.livePersona(setup.memberId);
      if (!persona) return [];
      const labels = store.listInteractions(setup.memberId, { labelledOnly: true }).map((record) => record.groundTruth ?? '');
      return [{ userId: setup.userId, majorityLabel: majority(labels.reverse()), versionId: persona.id, reason: persona.reason, text: persona.text }];
    });
  } finally {
    store.close();
  }
}

/** The most frequent value, the earliest given winning ties; "(none)" for no values. */
function majority(values: string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = '(none)';
  for (const [value, count] of counts) if (count > (counts.get(best) ?? 0)) best = value;
  return best;
}

/** Embeds with the run's embedding model through the run's cache, so a second analysis makes no call. */
async function embedPersonas(texts: string[], embedModel: string, outDir: string, env: Record<string, string | undefined>): Promise<Float32Array[]> {
  const provider = modelChoice(loadConfig(env)).embed.provider;
  const setting = provider === 'openai' ? 'OPENAI_EMBED_MODEL' : 'OLLAMA_EMBED_MODEL';
  const inner = createModelClient(loadConfig({ ...env, [setting]: embedModel }));
  const scope = { chat: null, embed: embedScope(inner, provider) };
  const model = new CachingModel(inner, { cache: new DiskCache(join(outDir, 'cache')), embedModel, meter: new UsageMeter(), scope });
  return model.embed(texts);
}

function personasMarkdown(task: string, exported: Array<{ label: string; personas: ExportedPersona[] }>): string {
  const lines = [`# ${task}: final personas`, ''];
  for (const method of exported) {
    lines.push(`## ${method.label}`, '');
    for (const persona of method.personas) lines.push(`### ${persona.userId} (most frequent label: ${persona.majorityLabel}; version ${persona.versionId}, ${persona.reason})`, '', persona.text, '');
  }
  return `${lines.join('\n')}\n`;
}
