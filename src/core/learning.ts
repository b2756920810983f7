import type { Logger } from 'pino';
import { AlignmentRecords } from '../memory/alignment-records.js';
import { Agent, type AgentDeps } from './agent.js';
import { Aligner, type AlignmentSettings } from './alignment.js';
import { Personas, type ToolRules } from './personas.js';
import { ProfileWriter, type ProfileSource } from './profile.js';

/** What the learning parts of the bot are built from: the agent's needs, plus alignment's. */
export interface LearningDeps extends AgentDeps {
  alignment: AlignmentSettings;
  logger: Logger;
  /** The profile's prompt and reading of the history, when not the bot's own. */
  profileSource?: ProfileSource;
  /** The rules of the agent's tools for persona prompts that take them (the bot's own prompts carry theirs). */
  toolRules?: ToolRules;
}

/** The agent, personas, semantic profile and alignment, wired one way for the bot, the evaluation and the benchmark. */
export interface Learning {
  agent: Agent;
  personas: Personas;
  profiles: ProfileWriter;
  aligner: Aligner;
}

/** Builds the agent, personas, profile writer and aligner over one store and one model. */
export function createLearning(deps: LearningDeps): Learning {
  const { store, model, prompts, temperature } = deps;
  const agent = new Agent(deps);
  const personas = new Personas(store, prompts, undefined, deps.toolRules);
  const profiles = new ProfileWriter({ store, model, prompts, temperature, source: deps.profileSource, tokens: deps.tokens });
  const records = new AlignmentRecords(store.db);
  const aligner = new Aligner({ store, records, model, prompts, agent, personas, profiles, logger: deps.logger, settings: deps.alignment, temperature, toolRules: deps.toolRules });
  return { agent, personas, profiles, aligner };
}
