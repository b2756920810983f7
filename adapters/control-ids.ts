import type { FormKind } from '../src/core/ports.js';

/** Every id of ours starts with this, so other apps' components are never read as ours. */
const PREFIX = 'persona';

/** The id (Discord custom id, Slack button value) of a control under an answer. */
export function controlId(control: 'approve' | 'correct', answerId: string): string {
  return `${PREFIX}:${control === 'approve' ? 'up' : 'fix'}:${answerId}`;
}

/** Reads a control's id; null for anything that is not one of ours. */
export function parseControl(id: string): { control: 'approve' | 'correct'; answerId: string } | null {
  const match = /^persona:(up|fix):(\d{1,20})$/.exec(id);
  return match ? { control: match[1] === 'up' ? 'approve' : 'correct', answerId: match[2]! } : null;
}

/** The id of a form: what it asks for and what it is about. */
export function formId(form: FormKind, subject: string): string {
  return `${PREFIX}:form:${form}:${subject}`;
}

/** Reads a form's id; null for anything that is not one of ours. */
export function parseForm(id: string): { form: FormKind; subject: string } | null {
  const match = /^persona:form:(correction|instructions):(.{1,60})$/.exec(id);
  return match ? { form: match[1] as FormKind, subject: match[2]! } : null;
}
