import type { MemoryScope } from './memory-import.js';

/** The methods of the paper's Table 2 (baselines and PersonaAgent) and Table 3 (ablations). */
export const methodNames = [
  'prompt',
  'icl',
  'rag1',
  'rag4',
  'pag4',
  'react',
  'membank',
  'persona-agent',
  'persona-agent-no-align',
  'persona-agent-no-persona',
  'persona-agent-no-memory',
  'persona-agent-no-actions',
  'persona-agent-prefetch',
] as const;

/** Methods run only when named in --methods (not part of the paper's tables). */
export const extraMethods: readonly MethodName[] = ['persona-agent-prefetch'];

/** The methods a run has when --methods is not given: the paper's. */
export const defaultMethodNames = methodNames.filter((name) => !(extraMethods as readonly string[]).includes(name));

/** A method name as given to --methods. */
export type MethodName = (typeof methodNames)[number];

/** Which system prompt the agent answers with. */
export type PersonaSource = 'neutral' | 'initial' | 'aligned';

/** The agent's tools. */
export interface ToolSet {
  memory: boolean;
  wikipedia: boolean;
}

/** How a method answers. */
export type MethodAnswer =
  | { kind: 'direct'; retrieve: number; withProfile: boolean }
  /** K labelled profile items (the newest) as in-context examples. */
  | { kind: 'icl' }
  /** MemoryBank: period summaries, a user portrait, and the memories the forgetting curve keeps. */
  | { kind: 'membank' }
  /** `prefetch`: the top-K memories are in the prompt before the first call (the chat bot's fast path). */
  | { kind: 'agent'; persona: PersonaSource; tools: ToolSet; prefetch?: boolean };

/** One method: what it sets up per user and how it answers. */
export interface MethodSpec {
  name: MethodName;
  /** The row name, as in the paper's tables. */
  label: string;
  /** A Table 3 ablation rather than a Table 2 row. */
  ablation: boolean;
  /** How much of the user's history becomes episodic memory. */
  memory: MemoryScope;
  /** A semantic profile (summary) is written from that memory before the persona. */
  profile: boolean;
  answer: MethodAnswer;
}

const bothTools: ToolSet = { memory: true, wikipedia: true };
const agent = (persona: PersonaSource, tools: ToolSet, prefetch = false): MethodAnswer => ({ kind: 'agent', persona, tools, ...(prefetch ? { prefetch } : {}) });

// Table 3's ablations each remove one part of PersonaAgent and keep the rest:
// w/o alignment keeps the initial persona; w/o persona answers with a neutral system prompt (no profile,
// no alignment); w/o memory has neither the memory tool nor a profile, and is aligned on the n items
// alignment needs; w/o actions has no tool at all. Each is aligned with the tools it answers with.
const specs: Record<MethodName, MethodSpec> = {
  prompt: { name: 'prompt', label: 'Prompt (non-personalised)', ablation: false, memory: 'none', profile: false, answer: { kind: 'direct', retrieve: 0, withProfile: false } },
  icl: { name: 'icl', label: 'ICL', ablation: false, memory: 'all', profile: false, answer: { kind: 'icl' } },
  rag1: { name: 'rag1', label: 'RAG-1', ablation: false, memory: 'all', profile: false, answer: { kind: 'direct', retrieve: 1, withProfile: false } },
  rag4: { name: 'rag4', label: 'RAG-4', ablation: false, memory: 'all', profile: false, answer: { kind: 'direct', retrieve: 4, withProfile: false } },
  pag4: { name: 'pag4', label: 'PAG-4', ablation: false, memory: 'all', profile: true, answer: { kind: 'direct', retrieve: 4, withProfile: true } },
  // A general agent: general tools only, no user data.
  react: { name: 'react', label: 'ReAct', ablation: false, memory: 'none', profile: false, answer: agent('neutral', { memory: false, wikipedia: true }) },
  membank: { name: 'membank', label: 'MemBank', ablation: false, memory: 'all', profile: false, answer: { kind: 'membank' } },
  'persona-agent': { name: 'persona-agent', label: 'PersonaAgent', ablation: false, memory: 'all', profile: true, answer: agent('aligned', bothTools) },
  'persona-agent-no-align': { name: 'persona-agent-no-align', label: 'PersonaAgent w/o alignment', ablation: true, memory: 'all', profile: true, answer: agent('initial', bothTools) },
  'persona-agent-no-persona': { name: 'persona-agent-no-persona', label: 'PersonaAgent w/o persona', ablation: true, memory: 'all', profile: false, answer: agent('neutral', bothTools) },
  'persona-agent-no-memory': { name: 'persona-agent-no-memory', label: 'PersonaAgent w/o memory', ablation: true, memory: 'batch', profile: false, answer: agent('aligned', { memory: false, wikipedia: true }) },
  'persona-agent-no-actions': { name: 'persona-agent-no-actions', label: 'PersonaAgent w/o actions', ablation: true, memory: 'all', profile: true, answer: agent('aligned', { memory: false, wikipedia: false }) },
  // Not in the paper: the chat bot's fast path (memories searched before the first call), to show what it costs in accuracy.
  'persona-agent-prefetch': { name: 'persona-agent-prefetch', label: 'PersonaAgent, memory prefetched', ablation: true, memory: 'all', profile: true, answer: agent('aligned', bothTools, true) },
};

/** The spec of a method. */
export function getMethod(name: MethodName): MethodSpec {
  return specs[name];
}

/** The method with this name, or undefined. */
export function findMethod(name: string): MethodSpec | undefined {
  return (methodNames as readonly string[]).includes(name) ? specs[name as MethodName] : undefined;
}

/**
 * Why a method would not measure what its name says with these settings, or null. Without Wikipedia,
 * ReAct has no tool and answers like Prompt, and w/o memory loses its last tool and becomes w/o actions too.
 */
export function methodProblem(spec: MethodSpec, settings: { wikipedia: boolean }): string | null {
  if (settings.wikipedia || spec.answer.kind !== 'agent' || !spec.answer.tools.wikipedia || spec.answer.tools.memory) return null;
  return spec.name === 'react'
    ? 'ReAct without Wikipedia has no tool and answers as Prompt does'
    : `${spec.label} without Wikipedia has no tool left, so it would also be w/o actions`;
}
