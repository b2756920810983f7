import { ActionRowBuilder, ButtonBuilder, ButtonStyle, ModalBuilder, TextInputStyle, type APIActionRowComponent, type APIComponentInMessageActionRow, type APIModalInteractionResponseCallbackData } from 'discord.js';
import type { Form } from '../../src/core/ports.js';
import { controlId, formId } from '../control-ids.js';

/** The text box of every form. */
export const FORM_FIELD = 'text';

/** The row under a finished answer: 👍 and "Correct it", each carrying the answer's id. */
export function answerControls(answerId: string): Array<APIActionRowComponent<APIComponentInMessageActionRow>> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId(controlId('approve', answerId)).setEmoji({ name: '👍' }).setStyle(ButtonStyle.Secondary),
    new ButtonBuilder().setCustomId(controlId('correct', answerId)).setLabel('Correct it').setStyle(ButtonStyle.Secondary),
  );
  return [row.toJSON()];
}

/** A form as a Discord modal: what it is about as text, then one labelled paragraph box. */
export function formModal(form: Form): APIModalInteractionResponseCallbackData {
  return new ModalBuilder()
    .setCustomId(formId(form.kind, form.subject))
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
