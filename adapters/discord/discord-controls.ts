import { ActionRowBuilder, ButtonBuilder, ButtonStyle, ModalBuilder, TextInputStyle, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIModalInteractionResponseCallbackData } from 'discord.js';
import type { Form, FormKind } from '../../src/core/ports.js';

/** Every custom id of ours starts with this, so other apps' components are never read as ours. */
const PREFIX = 'persona';
/** The text box of every form. */
export const FORM_FIELD = 'text';

/** The row under a finished answer: 👍 and "Correct it", each carrying the answer's id. */
export function answerControls(answerId: string): Array<APIActionRowComponent<APIComponentInMessageActionRow>> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(`${PREFIX}:up:${answerId}`).setEmoji({ name: '👍' }).setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(`${PREFIX}:fix:${answerId}`).setLabel('Correct it').setStyle(ButtonStyle.Secondary),
  );
  return [row.toJSON()];
}

/** Reads a button's custom id; null for anything that is not one of our controls. */
export function parseControl(customId: string): { control: 'approve' | 'correct'; answerId: string } | null {
  const match = /^persona:(up|fix):(\d{1,20})$/.exec(customId);
  return match ? { control: match[1] === 'up' ? 'approve' : 'correct', answerId: match[2]! } : null;
}

/** A form as a Discord modal: what it is about as text, then one labelled paragraph box. */
export function formModal(form: Form): APIModalInteractionResponseCallbackData {
  return new ModalBuilder()
    .setCustomId(`${PREFIX}:form:${form.kind}:${form.subject}`)
    .setTitle(form.title.slice(0, 45))
    .addTextDisplayComponents((text) => text.setContent(form.context.slice(0, 4_000)))
    .addLabelComponents((label) =>
      label.setLabel(form.label.slice(0, 45)).setTextInputComponent((input) => {
        input.setCustomId(FORM_FIELD).setStyle(TextInputStyle.Paragraph).setRequired(true).setMaxLength(Math.min(form.maxLength, 4_000));
        return form.current ? input.setValue(form.current.slice(0, Math.min(form.maxLength, 4_000))) : input;
      }),
    )
    .toJSON();
}

/** Reads a modal's custom id; null for anything that is not one of our forms. */
export function parseForm(customId: string): { form: FormKind; subject: string } | null {
  const match = /^persona:form:(correction|instructions):(.{1,60})$/.exec(customId);
  return match ? { form: match[1] as FormKind, subject: match[2]! } : null;
}
