import type { types } from '@slack/bolt';
import type { Form, FormKind } from '../../src/core/ports.js';
import { controlId, formId, parseForm } from '../control-ids.js';
import { splitText } from '../split-text.js';
import { escapeForSlack } from './slack-formatting.js';

type Block = types.KnownBlock | types.Block;

/** The callback id of every modal of ours; what it is about travels in `private_metadata`. */
export const FORM_CALLBACK = 'persona_form';
const FORM_BLOCK = 'persona_text';
const FORM_FIELD = 'text';
/** A section's text may hold at most 3 000 characters. */
const SECTION_LIMIT = 3_000;

/**
 * The controls under a finished answer. Slack's AI-app feedback buttons (👍 and "Correct it") where
 * the workspace takes them, otherwise two plain buttons; both carry the answer's id.
 */
export function controlsBlock(answerId: string, feedbackButtons: boolean): Block {
  const up = controlId('approve', answerId);
  const fix = controlId('correct', answerId);
  if (feedbackButtons) {
    return {
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: 'persona_feedback',
          positive_button: { text: { type: 'plain_text', text: '👍' }, accessibility_label: 'Mark this answer right', value: up },
          negative_button: { text: { type: 'plain_text', text: 'Correct it' }, accessibility_label: 'Give the right answer', value: fix },
        },
      ],
    } as Block;
  }
  return {
    type: 'actions',
    elements: [
      { type: 'button', action_id: 'persona_up', text: { type: 'plain_text', text: '👍', emoji: true }, value: up },
      { type: 'button', action_id: 'persona_fix', text: { type: 'plain_text', text: 'Correct it' }, value: fix },
    ],
  };
}

/** An already escaped message as sections, so it can carry blocks after it (the message's own text becomes the notification). */
export function textBlocks(escaped: string): Block[] {
  return splitText(escaped, SECTION_LIMIT).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } }));
}

/** Where a form was opened, carried through the modal so its answer reaches the member there. */
export interface FormPlace {
  channel: string;
  thread?: string;
}

/** A form as a Slack modal: what it is about, then one multi-line box. */
export function formView(form: Form, place: FormPlace): types.ModalView {
  const limit = Math.min(form.maxLength, 3_000);
  return {
    type: 'modal',
    callback_id: FORM_CALLBACK,
    private_metadata: JSON.stringify({ id: formId(form.kind, form.subject), ...place }),
    title: { type: 'plain_text', text: form.title.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Save' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: escapeForSlack(form.context).slice(0, SECTION_LIMIT) } },
      {
        type: 'input',
        block_id: FORM_BLOCK,
        label: { type: 'plain_text', text: form.label.slice(0, 2_000) },
        element: { type: 'plain_text_input', action_id: FORM_FIELD, multiline: true, max_length: limit, ...(form.current ? { initial_value: form.current.slice(0, limit) } : {}) },
      },
    ],
  };
}

/** What a submitted modal of ours carries: the form, where it was opened, and the text. */
export function readForm(view: { callback_id?: string; private_metadata?: string; state?: { values?: Record<string, Record<string, { value?: string | null }>> } }): { form: FormKind; subject: string; place: FormPlace; text: string } | null {
  if (view.callback_id !== FORM_CALLBACK) return null;
  let meta: { id?: unknown; channel?: unknown; thread?: unknown };
  try {
    meta = JSON.parse(view.private_metadata ?? '') as typeof meta;
  } catch {
    return null;
  }
  const form = typeof meta.id === 'string' ? parseForm(meta.id) : null;
  if (!form || typeof meta.channel !== 'string') return null;
  const text = view.state?.values?.[FORM_BLOCK]?.[FORM_FIELD]?.value ?? '';
  return { ...form, place: { channel: meta.channel, ...(typeof meta.thread === 'string' ? { thread: meta.thread } : {}) }, text };
}
