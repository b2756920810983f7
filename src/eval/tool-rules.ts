import type { ToolRules } from '../core/personas.js';
import type { EvalPrompts } from './eval-prompts.js';
import type { ToolSet } from './methods.js';

/**
 * The tool-use rules of a method's agent, for the paper's persona and update prompts and for the
 * rewrite guard: the tools it really has (Wikipedia only when the run has it), and the one the rules
 * oblige it to call, which a rewrite must keep. An agent without tools is told of none and needs none.
 */
export function toolRulesFor(tools: ToolSet, prompts: EvalPrompts): ToolRules {
  const { memory, wikipedia } = tools;
  const name = memory && wikipedia ? 'paper-tools-both' : memory ? 'paper-tools-memory' : wikipedia ? 'paper-tools-wikipedia' : 'paper-tools-none';
  const required = memory ? ['search_memory'] : wikipedia ? ['wikipedia'] : [];
  return { text: prompts.render(name), required };
}
