import type { MemberKey, Platform } from '../shared/member-key.js';
import type { Db } from './database.js';
import type { Statement } from './statements.js';

/** Where instructions apply: a whole workspace (`channelId` null) or one channel in it. */
export interface InstructionScope {
  platform: Platform;
  workspaceId: string;
  channelId: string | null;
}

/** Standing instructions as stored. */
export interface InstructionRecord extends InstructionScope {
  text: string;
  setBy: string;
  updatedAt: Date;
}

interface InstructionRow {
  platform: Platform;
  workspace_id: string;
  channel_id: string;
  text: string;
  set_by: string;
  updated_at: string;
}

/** The workspace-wide row has an empty channel id, so the primary key covers both kinds. */
const WHOLE_WORKSPACE = '';

/** Every SQL statement about standing instructions (migration 6), each prepared once. */
export class InstructionRecords {
  private readonly upsert: Statement;
  private readonly remove: Statement;
  private readonly removeSetBy: Statement;
  private readonly one: Statement;
  private readonly some: Statement;

  constructor(db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO channel_instructions (platform, workspace_id, channel_id, text, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (platform, workspace_id, channel_id) DO UPDATE SET text = excluded.text, set_by = excluded.set_by, updated_at = excluded.updated_at`,
    );
    this.remove = db.prepare('DELETE FROM channel_instructions WHERE platform = ? AND workspace_id = ? AND channel_id = ?');
    this.removeSetBy = db.prepare('DELETE FROM channel_instructions WHERE platform = ? AND workspace_id = ? AND set_by = ?');
    this.one = db.prepare('SELECT * FROM channel_instructions WHERE platform = ? AND workspace_id = ? AND channel_id = ?');
    // The channel list arrives as JSON, so one statement serves any number of channels.
    this.some = db.prepare('SELECT * FROM channel_instructions WHERE platform = ? AND workspace_id = ? AND channel_id IN (SELECT value FROM json_each(?))');
  }

  /** Sets (or replaces) the instructions of a scope. */
  set(scope: InstructionScope, text: string, setBy: string, at: Date): void {
    this.upsert.run(scope.platform, scope.workspaceId, scope.channelId ?? WHOLE_WORKSPACE, text, setBy, at.toISOString());
  }

  /** Removes the instructions of a scope; false when there were none. */
  clear(scope: InstructionScope): boolean {
    return this.remove.run(scope.platform, scope.workspaceId, scope.channelId ?? WHOLE_WORKSPACE).changes > 0;
  }

  /** Deletes every instruction this member set in their workspace (forgetting a member erases what they wrote). */
  forgetSetBy(member: MemberKey): number {
    return this.removeSetBy.run(member.platform, member.workspaceId, member.userId).changes;
  }

  /** The instructions of exactly this scope. */
  get(scope: InstructionScope): InstructionRecord | undefined {
    const row = this.one.get(scope.platform, scope.workspaceId, scope.channelId ?? WHOLE_WORKSPACE) as InstructionRow | undefined;
    return row && toRecord(row);
  }

  /** What applies in a channel: the workspace's instructions first, then the channel's (either may be missing). */
  applying(platform: Platform, workspaceId: string, channelIds: string[]): InstructionRecord[] {
    const wanted = [WHOLE_WORKSPACE, ...channelIds];
    const rows = this.some.all(platform, workspaceId, JSON.stringify(wanted)) as InstructionRow[];
    return rows.map(toRecord).sort((a, b) => wanted.indexOf(a.channelId ?? WHOLE_WORKSPACE) - wanted.indexOf(b.channelId ?? WHOLE_WORKSPACE));
  }
}

function toRecord(row: InstructionRow): InstructionRecord {
  return {
    platform: row.platform,
    workspaceId: row.workspace_id,
    channelId: row.channel_id === WHOLE_WORKSPACE ? null : row.channel_id,
    text: row.text,
    setBy: row.set_by,
    updatedAt: new Date(row.updated_at),
  };
}
