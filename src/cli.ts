#!/usr/bin/env node
import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { formatReport, tally } from './core/alignment.js';
import { EmbeddingMismatchError, PromptError } from './core/errors.js';
import { sumTallies } from './core/structured.js';
import { exportedCount, exportMember, reembedAll } from './core/maintenance.js';
import { healthChecks } from './health.js';
import type { Core } from './main.js';
import { DatabasePathError } from './memory/database-path.js';
import { formatMemberKey, parseMemberKey } from './memory/records.js';
import { assertReady, runChecks, StartupError, type Check } from './startup.js';

const usage = `Usage: persona-bot <command> [options]

  start               run the bot (Discord/Slack when configured, else the console chat)
  chat                the console chat, even when platforms are configured
  doctor              check the model servers, models, database and settings, and say how to fix problems
  health              is the bot running here? its database opens and its heartbeat is fresh (Docker)
  members             list members
  show <member>       a member's persona, profile and recent interactions [--json]
  export <member>     everything kept about a member as JSON [--out file]
  align               rewrite personas now [--member <member>] [--all]
  reembed             embed every memory again with the embedding model (after changing it)
  eval                run the LaMP evaluation (npm run eval -- --help)

A member is written platform:workspace:user, e.g. discord:123456789:987654321.`;

/**
 * Runs one CLI command and returns the exit code; a known failure (bad settings, an unusable
 * database path, Ollama missing) is printed as its message, without a stack trace. `env` replaces
 * the environment and .env (tests).
 */
export async function main(argv: string[], env?: Record<string, string | undefined>): Promise<number> {
  try {
    return await run(argv, env);
  } catch (error) {
    if (!known.some((kind) => error instanceof kind)) throw error;
    return print((error as Error).message, 1);
  }
}

async function run(argv: string[], env: Record<string, string | undefined> | undefined): Promise<number> {
  const [command = 'start', ...rest] = argv;
  if (command === 'help' || command === '--help' || command === '-h') return print(usage, 0);
  if (env === undefined) loadEnvFile();
  // The evaluation keeps its own databases under --out; it never opens the bot's.
  if (command === 'eval') return (await import('./eval/eval-command.js')).runEvalCommand(rest);
  const config = loadConfig(env ?? process.env);
  // Opens nothing for writing and calls no model: cheap enough to run every minute (the bot's modules are not even loaded).
  if (command === 'health') return printChecks(healthChecks(config));
  if (command === 'start' || command === 'chat') return (await import('./run.js')).runBot(config, { forceConsole: command === 'chat' });
  const { buildCore, createLogger } = await import('./main.js');
  const core = buildCore(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
  try {
    return await runTool(core, command, rest);
  } finally {
    core.close();
  }
}

async function runTool(core: Core, command: string, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' }, out: { type: 'string' }, member: { type: 'string' }, all: { type: 'boolean' } } });
  switch (command) {
    case 'doctor':
      return printChecks(await runChecks(core));
    case 'members': {
      const members = core.store.listMembers();
      if (members.length === 0) return print('No members yet.', 0);
      members.forEach((m) => console.log(`${formatMemberKey(m.key)}  ${m.interactions} interactions, ${m.labelled} labelled, ${m.personaVersions} persona versions, last seen ${m.lastSeen?.toISOString() ?? 'never'}`));
      return 0;
    }
    case 'show':
      return showMember(core, positionals[0], values.json === true);
    case 'export':
      return exportTo(core, positionals[0], values.out);
    case 'align':
      return alignNow(core, values.member, values.all === true);
    case 'reembed': {
      const count = await reembedAll(core.store, core.model, core.model.embedModel, (done) => process.stderr.write(`\rembedded ${done}`));
      return print(`\nRe-embedded ${count} memories with ${core.model.embedModel}.`, 0);
    }
    default:
      return print(`Unknown command "${command}".\n\n${usage}`, 2);
  }
}

function showMember(core: Core, text: string | undefined, json: boolean): number {
  const key = memberArg(text);
  const memberId = core.store.findMember(key);
  if (memberId === undefined) return print(`No member ${formatMemberKey(key)}.`, 1);
  const persona = core.store.livePersona(memberId);
  const profile = core.store.profile(memberId);
  const recent = core.store.listInteractions(memberId, { limit: 10 });
  if (json) return print(JSON.stringify({ member: formatMemberKey(key), persona, profile: profile ?? null, recent }, null, 2), 0);
  console.log(`Member ${formatMemberKey(key)}\n`);
  console.log(`Persona (${persona ? `${persona.reason}, ${persona.createdAt.toISOString()}` : 'none yet'}):\n${persona?.text ?? '-'}\n`);
  console.log(`Profile:\n${profile?.summary ?? '-'}\n`);
  console.log('Recent interactions (newest first):');
  for (const item of recent) {
    console.log(`- ${item.askedAt.toISOString()} [${item.feedback}] Q: ${item.question}`);
    console.log(`    answer: ${item.answer ?? `(none${item.errorCode ? `: ${item.errorCode}` : ''})`}`);
    if (item.groundTruth !== null) console.log(`    right answer: ${item.groundTruth}`);
  }
  return 0;
}

/** `export`: the member's JSON on stdout, or written to `out` with a line saying where and how much. */
function exportTo(core: Core, member: string | undefined, out: string | undefined): number {
  const key = memberArg(member);
  const data = exportMember(core.store, key);
  if (!data) return print(`No member ${formatMemberKey(key)}.`, 1);
  const json = `${JSON.stringify(data, null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(json);
    return 0;
  }
  const path = resolve(out);
  try {
    writeFileSync(path, json);
  } catch (error) {
    return print(`Cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check that its folder exists and is writable.`, 1);
  }
  const counts = [counted(1, 'member'), counted(exportedCount(data, 'interactions'), 'interaction'), counted(exportedCount(data, 'persona_versions'), 'persona version'), counted(Buffer.byteLength(json), 'byte')];
  return print(`Wrote ${path}: ${counts.join(', ')}.`, 0);
}

/** One line per check; exit code 1 when any failed. */
function printChecks(checks: Check[]): number {
  checks.forEach((check) => console.log(`${check.ok ? (check.warning ? '⚠' : '✓') : '✗'} ${check.name}: ${check.detail}`));
  return checks.every((check) => check.ok) ? 0 : 1;
}

function counted(n: number, noun: string): string {
  return `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
}

/** `align`: due members by default, one member with --member, every member with ground truth with --all. */
async function alignNow(core: Core, member: string | undefined, all: boolean): Promise<number> {
  const { store, aligner, config } = core;
  let memberIds: number[] | undefined;
  if (member !== undefined) {
    const key = memberArg(member);
    const id = store.findMember(key);
    if (id === undefined) return print(`No member ${formatMemberKey(key)}.`, 1);
    memberIds = [id];
  } else if (all) {
    memberIds = store.listMembers().filter((summary) => summary.labelled > 0).map((summary) => summary.id);
  }
  await assertReady(core);
  // Ctrl-C or ALIGN_RUN_TIMEOUT_MS cancels cleanly: live personas stay, claims are released, members stay due.
  const cancel = new AbortController();
  const interrupt = () => cancel.abort(new Error('interrupted'));
  process.once('SIGINT', interrupt);
  const timer = setTimeout(() => cancel.abort(new Error('ALIGN_RUN_TIMEOUT_MS reached')), config.ALIGN_RUN_TIMEOUT_MS);
  let reports;
  try {
    reports = await aligner.run({ memberIds, limit: config.ALIGN_MAX_MEMBERS_PER_RUN, signal: cancel.signal });
  } finally {
    process.off('SIGINT', interrupt);
    clearTimeout(timer);
  }
  if (reports.length === 0) return print(all ? 'No member has ground truth yet.' : 'No member has new ground truth; nothing to do (use --all to align everyone).', 0);
  reports.forEach((report) => console.log(formatReport(report)));
  const { accepted, rejected, skipped, failed } = tally(reports);
  console.log(`\n${reports.length} members: ${accepted} rewritten, ${rejected + skipped} kept, ${failed} failed.`);
  const structured = sumTallies(reports.map((report) => report.structured));
  console.log(`Structured answers: ${structured.repaired} repaired, ${structured.retried} retried, ${structured.failed} failed.`);
  return failed > 0 ? 1 : 0;
}

function memberArg(text: string | undefined): ReturnType<typeof parseMemberKey> & {} {
  const key = text ? parseMemberKey(text) : null;
  if (!key) throw new UsageError(`Give a member as platform:workspace:user (see \`persona-bot members\`), not "${text ?? ''}".`);
  return key;
}

class UsageError extends Error {
  readonly code = 'USAGE';
}

function print(text: string, code: number): number {
  (code === 0 ? console.log : console.error)(text);
  return code;
}

function loadEnvFile(): void {
  try {
    process.loadEnvFile?.();
  } catch {
    // No .env file: settings come from the environment alone.
  }
}

const known = [ConfigError, PromptError, EmbeddingMismatchError, StartupError, UsageError, DatabasePathError];

/** Whether this module is the program being run (node, tsx or the npm bin link), not a module a test imported. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
