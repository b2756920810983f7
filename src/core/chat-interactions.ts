import type { MemberKey } from '../shared/member-key.js';

// What members do besides writing (files on their messages, the controls under answers, forms) and
// what the bot gives back only to them. Part of the ports; `ports.ts` re-exports every type here.

/** A file attached to a member's message, as the platform describes it; fetched only when it is answered. */
export interface Attachment {
  name: string;
  /** MIME type as the platform reports it, when it does. */
  contentType?: string;
  /** Size in bytes as the platform reports it. */
  size: number;
  /** Where the adapter fetches it from; only the adapter reads it. */
  url: string;
}

/** A member pressed one of the controls on an answer: 👍, or "Correct it". */
export interface ControlEvent {
  kind: 'control';
  member: MemberKey;
  channelId: string;
  /** The answer the control belongs to, as the control carries it (an interaction id). */
  answerId: string;
  control: 'approve' | 'correct';
  at: Date;
}

/** What a form asks for: the right answer to a question, or a place's standing instructions. */
export type FormKind = 'correction' | 'instructions';

/** A member submitted a form the bot opened. */
export interface FormEvent {
  kind: 'form';
  member: MemberKey;
  channelId: string;
  form: FormKind;
  /** What the form is about: the answer id of a correction, the scope of instructions. */
  subject: string;
  text: string;
  /** The platform says this member administers the workspace. */
  isAdmin?: boolean;
  at: Date;
}

/** A form for the member to fill in (Discord modal, Slack modal). */
export interface Form {
  kind: FormKind;
  /** Carried back in the FormEvent. */
  subject: string;
  /** A short title (platforms allow about 24–45 characters). */
  title: string;
  /** Shown above the text box: the question being corrected, or where the instructions apply. */
  context: string;
  /** The label of the text box. */
  label: string;
  /** The text given before, to edit. */
  current?: string;
  maxLength: number;
}

/** A file only one member receives. */
export interface PrivateFile {
  name: string;
  content: string;
  /** Said with the file. */
  note: string;
}

/** Where a private note goes, and what it is about. */
export interface PrivateTarget {
  channelId: string;
  member: MemberKey;
  /** The message the note is about (the answer reacted to, the correction); it places the note beside it where no interaction exists. */
  about?: string;
  /** The thread the note belongs in, when the caller knows it (else the adapter finds the thread of `about`). */
  threadId?: string;
}
