import { ChannelType, Routes, SlashCommandBuilder, type REST, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Logger } from 'pino';

/** A command or option as Discord returns it or as we send it; only the fields that matter for comparison. */
interface CommandShape {
  type?: number;
  name: string;
  description: string;
  required?: boolean;
  options?: CommandShape[];
}

/** The `/persona` command: view, history, reset (admins may name a member), forget (one memory, or all with confirm), memories, export, and admin instructions. */
export function personaCommand(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  return new SlashCommandBuilder()
    .setName('persona')
    .setDescription('See or manage the persona the bot keeps for you')
    .addSubcommand((sub) => sub.setName('view').setDescription('Show your persona and what it learned from'))
    .addSubcommand((sub) => sub.setName('history').setDescription('Show how your persona changed over time'))
    .addSubcommand((sub) =>
      sub
        .setName('reset')
        .setDescription('Go back to your initial persona (earlier versions are kept)')
        .addUserOption((option) => option.setName('member').setDescription('Admins only: reset this member instead')),
    )
    .addSubcommand((sub) =>
      sub
        .setName('forget')
        .setDescription('Delete one memory, or everything the bot keeps about you')
        .addStringOption((option) => option.setName('memory').setDescription('The id of one memory to delete (see /persona memories)').setMaxLength(12))
        .addBooleanOption((option) => option.setName('confirm').setDescription('True to really delete everything; otherwise you see what would go')),
    )
    .addSubcommand((sub) =>
      sub
        .setName('memories')
        .setDescription('List what the bot remembers of you, with ids')
        .addIntegerOption((option) => option.setName('page').setDescription('Which page (10 a page, newest first)').setMinValue(1)),
    )
    .addSubcommand((sub) => sub.setName('export').setDescription('Get everything the bot keeps about you as a JSON file'))
    .addSubcommandGroup((group) =>
      group
        .setName('admin')
        .setDescription('For server admins')
        .addSubcommand((sub) =>
          sub
            .setName('instructions')
            .setDescription('Standing instructions for this server or one channel')
            .addStringOption((option) =>
              option
                .setName('action')
                .setDescription('set opens a form for the text')
                .setRequired(true)
                .addChoices({ name: 'set', value: 'set' }, { name: 'show', value: 'show' }, { name: 'clear', value: 'clear' }),
            )
            .addChannelOption((option) => option.setName('channel').setDescription('One channel; without it, the whole server').addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum)),
        ),
    )
    .toJSON();
}

/** A command reduced to what Discord keeps from our definition, so a fetched one compares equal. */
function canonical(command: CommandShape): CommandShape {
  return {
    type: command.type ?? 1,
    name: command.name,
    description: command.description,
    required: command.required === true,
    options: (command.options ?? []).map(canonical),
  };
}

/** True when the registered commands are exactly ours (same names, descriptions, options). */
export function sameCommands(registered: readonly CommandShape[], ours: readonly CommandShape[]): boolean {
  const key = (commands: readonly CommandShape[]) => JSON.stringify(commands.map(canonical).sort((a, b) => a.name.localeCompare(b.name)));
  return key(registered) === key(ours);
}

/**
 * Registers `/persona` for the guild (instant) or globally; nothing is written when the
 * registered set already equals ours, so restarts do not spend Discord's daily command quota.
 */
export async function registerCommands(rest: REST, applicationId: string, guildId: string | undefined, logger: Logger): Promise<'registered' | 'unchanged'> {
  const route = guildId ? Routes.applicationGuildCommands(applicationId, guildId) : Routes.applicationCommands(applicationId);
  const ours = [personaCommand()];
  const registered = (await rest.get(route)) as CommandShape[];
  const scope = guildId ? { guildId } : { scope: 'global' };
  if (sameCommands(registered, ours as CommandShape[])) {
    logger.info(scope, 'slash commands unchanged');
    return 'unchanged';
  }
  await rest.put(route, { body: ours });
  logger.info(scope, 'slash commands registered');
  return 'registered';
}
