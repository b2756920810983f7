/** The methods of the paper's Table 2 (baselines and PersonaAgent) and Table 3 (ablations). */
export const methodNames = [
  'prompt',
  'rag1',
  'rag4',
  'pag4',
  'react',
  'persona-agent',
  'persona-agent-no-align',
  'persona-agent-no-persona',
  'persona-agent-no-memory',
  'persona-agent-no-actions',
] as const;

/** A method name as given to --methods. */
export type MethodName = (typeof methodNames)[number];

/** Which system prompt the agent answers with. */
export type PersonaSource = 'neutral' | 'initial' | 'aligned';

/** How a method answers. */
export type MethodAnswer =
  | { kind: 'direct'; retrieve: number; withProfile: boolean }
  | { kind: 'agent'; persona: PersonaSource; tools: { memory: boolean; wikipedia: boolean } };

/** One method: what it sets up per user and how it answers. */
export interface MethodSpec {
  name: MethodName;
  /** The row name, as in the paper's tables. */
  label: string;
  /** A Table 3 ablation rather than a Table 2 row. */
  ablation: boolean;
  /** The user's profile is imported as episodic memory. */
  memory: boolean;
  /** A semantic profile (summary) is written from that memory. */
  profile: boolean;
  answer: MethodAnswer;
}

const withWiki = { memory: true, wikipedia: true };

const specs: Record<MethodName, MethodSpec> = {
  prompt: { name: 'prompt', label: 'Prompt (non-personalised)', ablation: false, memory: false, profile: false, answer: { kind: 'direct', retrieve: 0, withProfile: false } },
  rag1: { name: 'rag1', label: 'RAG-1', ablation: false, memory: true, profile: false, answer: { kind: 'direct', retrieve: 1, withProfile: false } },
  rag4: { name: 'rag4', label: 'RAG-4', ablation: false, memory: true, profile: false, answer: { kind: 'direct', retrieve: 4, withProfile: false } },
  pag4: { name: 'pag4', label: 'PAG-4', ablation: false, memory: true, profile: true, answer: { kind: 'direct', retrieve: 4, withProfile: true } },
  // A general agent: general tools only, no user data.
  react: { name: 'react', label: 'ReAct', ablation: false, memory: false, profile: false, answer: { kind: 'agent', persona: 'neutral', tools: { memory: false, wikipedia: true } } },
  'persona-agent': { name: 'persona-agent', label: 'PersonaAgent', ablation: false, memory: true, profile: true, answer: { kind: 'agent', persona: 'aligned', tools: withWiki } },
  'persona-agent-no-align': { name: 'persona-agent-no-align', label: 'PersonaAgent w/o alignment', ablation: true, memory: true, profile: true, answer: { kind: 'agent', persona: 'initial', tools: withWiki } },
  'persona-agent-no-persona': { name: 'persona-agent-no-persona', label: 'PersonaAgent w/o persona', ablation: true, memory: true, profile: false, answer: { kind: 'agent', persona: 'neutral', tools: withWiki } },
  'persona-agent-no-memory': { name: 'persona-agent-no-memory', label: 'PersonaAgent w/o memory', ablation: true, memory: true, profile: true, answer: { kind: 'agent', persona: 'aligned', tools: { memory: false, wikipedia: true } } },
  'persona-agent-no-actions': { name: 'persona-agent-no-actions', label: 'PersonaAgent w/o actions', ablation: true, memory: true, profile: true, answer: { kind: 'agent', persona: 'aligned', tools: { memory: false, wikipedia: false } } },
};

/** The spec of a method. */
export function getMethod(name: MethodName): MethodSpec {
  return specs[name];
}

/** The method with this name, or undefined. */
export function findMethod(name: string): MethodSpec | undefined {
  return (methodNames as readonly string[]).includes(name) ? specs[name as MethodName] : undefined;
}
