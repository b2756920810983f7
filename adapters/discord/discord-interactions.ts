import { MessageFlags, type Interaction } from 'discord.js';
import type { Logger } from 'pino';
import type { ChatEvent } from '../../src/core/ports.js';
import type { DiscordChat } from './discord-chat.js';
import { InteractionChat, type RepliableLike } from './interaction-chat.js';
import { commandEvent, controlEvent, formEvent } from './normalize.js';
import { errorSummary, retryOnce } from './retry-once.js';

/** Hands an event to the core with the chat that answers it. */
export type Deliver = (event: ChatEvent, chat: InteractionChat) => Promise<void>;

/** Whether the bot works in this channel (DISCORD_CHANNEL_IDS). */
export type ChannelCheck = (channelId: string, guildId: string | null) => Promise<boolean>;

/** Said, only to the member, to an interaction in a channel the bot is kept out of. */
export const NOT_HERE = 'I am not used in this channel; ask in a channel where I answer.';

/**
 * One interaction: `/persona`, a control under an answer, or a submitted form. Discord wants an
 * answer within 3 s, so each is acknowledged at once (an ephemeral "thinking…" the core's reply
 * then fills in), except where the core may answer with a form, which must be the first answer.
 */
export async function handleInteraction(interaction: Interaction, chat: DiscordChat, logger: Logger, deliver: Deliver, allowed: ChannelCheck): Promise<void> {
  const ids = { interactionId: interaction.id, userId: interaction.user.id };
  let event: ChatEvent | null = null;
  let opensForm = false;
  if (interaction.isChatInputCommand() && interaction.commandName === 'persona') {
    event = commandEvent(interaction);
    opensForm = event.args[0] === 'admin' && event.args[2] === 'set';
  } else if (interaction.isButton()) {
    event = controlEvent(interaction);
    opensForm = event?.kind === 'control' && event.control === 'correct';
  } else if (interaction.isModalSubmit()) {
    event = formEvent(interaction);
  }
  if (!event || !interaction.isRepliable()) return;
  if (!(await allowed(event.channelId, interaction.guildId))) {
    return void (await retryOnce(logger, 'interaction reply', ids, () => interaction.reply({ content: NOT_HERE, flags: MessageFlags.Ephemeral })));
  }
  if (!opensForm) await retryOnce(logger, 'interaction acknowledgement', ids, () => interaction.deferReply({ flags: MessageFlags.Ephemeral }));
  const replies = new InteractionChat(chat, interaction as unknown as RepliableLike, logger, ids);
  await deliver(event, replies);
  // A deferred reply left empty shows "thinking…" for 15 minutes; take it away instead.
  if (interaction.deferred && !replies.answered) {
    await interaction.deleteReply().catch((error: unknown) => logger.warn({ ...ids, ...errorSummary(error) }, 'empty interaction reply not removed'));
  }
}
