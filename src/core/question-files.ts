import { chatMessages } from './chat-messages.js';
import type { Attachment, Chat, ModelImage } from './ports.js';
import { withFiles, type QuotedFile } from './quoted-files.js';

/** Limits and the model's abilities for files attached to questions. */
export interface FileSettings {
  /** Largest text file read, in bytes (ATTACHMENT_MAX_KB). */
  maxTextBytes: number;
  /** Largest image sent to the model, in bytes (IMAGE_MAX_KB). */
  maxImageBytes: number;
  /** Whether the chat model reads images (its vision capability); asked only when an image comes. */
  readsImages: () => Promise<boolean>;
}

/** A question with its files read. */
export interface ReadQuestion {
  /** The member's text followed by each text file quoted with its name: what is stored and answered. */
  text: string;
  /** Images for the model; never stored. */
  images: ModelImage[];
  /** One line for each file that was not read, said before the answer. */
  notes: string[];
}

/** At most this many files of one message are read; a message rarely carries more. */
const MAX_FILES = 5;

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-yaml|yaml|javascript|x-javascript|typescript|x-sh|x-python|sql|toml|x-toml|csv|ld\+json))/i;
const TEXT_EXTENSIONS = new Set(
  'txt md markdown csv tsv json jsonl yaml yml xml html htm css scss js mjs cjs ts tsx jsx py rb go rs java kt kts c h cc cpp hpp cs php sh bash zsh fish ps1 sql toml ini cfg conf env log swift scala r lua pl tex rst adoc org diff patch gradle dockerfile makefile vue svelte dart ex exs erl hs ml clj elm graphql proto'.split(' '),
);
const IMAGE_TYPES = new Map([
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['webp', 'image/webp'],
]);

/** How a file is read, judged from its type and name. */
export function fileKind(file: Pick<Attachment, 'name' | 'contentType'>): 'text' | 'image' | 'other' {
  const type = (file.contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? file.name.toLowerCase();
  if (type.startsWith('image/')) return [...IMAGE_TYPES.values()].includes(type) ? 'image' : 'other';
  if (IMAGE_TYPES.has(extension) && type === '') return 'image';
  if (TEXT_TYPES.test(type) || TEXT_EXTENSIONS.has(extension)) return 'text';
  return 'other';
}

/**
 * Reads the files of a question through the platform (which fetches only from its own file hosts,
 * within the size limit): text files are quoted in the question, images go to a model that reads
 * them. Nothing is kept but the question text that quotes the text files.
 */
export class QuestionFiles {
  constructor(private readonly settings: FileSettings) {}

  /** The question with its files; without files it is the text as given. */
  async read(text: string, attachments: Attachment[], chat: Chat, signal?: AbortSignal): Promise<ReadQuestion> {
    const quoted: QuotedFile[] = [];
    const images: ModelImage[] = [];
    const notes: string[] = [];
    const files = attachments.slice(0, MAX_FILES);
    const imageFiles = files.filter((file) => fileKind(file) === 'image');
    const readsImages = imageFiles.length > 0 && chat.download !== undefined && (await this.settings.readsImages());
    if (imageFiles.length > 0 && !readsImages) notes.push(chatMessages.imagesUnread(imageFiles.length));
    for (const file of files) {
      const kind = fileKind(file);
      if (kind === 'other') notes.push(chatMessages.fileNotText(file.name));
      else if (kind === 'text') await this.readText(file, chat, signal).then((read) => (typeof read === 'string' ? notes.push(read) : quoted.push(read)));
      else if (readsImages) await this.readImage(file, chat, signal).then((read) => (typeof read === 'string' ? notes.push(read) : images.push(read)));
    }
    const named = imageFiles.map((file) => `[attached image: ${file.name}]`);
    return { text: withFiles([text, ...named].filter(Boolean).join('\n'), quoted), images, notes };
  }

  private async readText(file: Attachment, chat: Chat, signal?: AbortSignal): Promise<QuotedFile | string> {
    const bytes = await this.fetch(file, this.settings.maxTextBytes, chat, signal);
    if (typeof bytes === 'string') return bytes;
    const content = decodeText(bytes);
    return content === null ? chatMessages.fileNotText(file.name) : { name: file.name, content };
  }

  private async readImage(file: Attachment, chat: Chat, signal?: AbortSignal): Promise<ModelImage | string> {
    const bytes = await this.fetch(file, this.settings.maxImageBytes, chat, signal);
    if (typeof bytes === 'string') return bytes;
    const mimeType = file.contentType?.split(';')[0]?.trim() || IMAGE_TYPES.get(file.name.split('.').pop()!.toLowerCase()) || 'image/png';
    return { mimeType, base64: Buffer.from(bytes).toString('base64') };
  }

  /** The file's bytes, or the note saying why it was not read (too large, or not fetched). */
  private async fetch(file: Attachment, maxBytes: number, chat: Chat, signal?: AbortSignal): Promise<Uint8Array | string> {
    const limitKb = Math.floor(maxBytes / 1024);
    if (file.size > maxBytes) return chatMessages.fileTooLarge(file.name, limitKb);
    if (!chat.download) return chatMessages.fileUnreadable(file.name);
    try {
      return await chat.download(file, maxBytes, signal);
    } catch (error) {
      return (error as { code?: string }).code === 'ATTACHMENT_TOO_LARGE' ? chatMessages.fileTooLarge(file.name, limitKb) : chatMessages.fileUnreadable(file.name);
    }
  }
}

/** UTF-8 text without a byte-order mark; null for bytes that are not text. */
function decodeText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return text.includes('\u0000') ? null : text.replace(/\r\n/g, '\n');
  } catch {
    return null;
  }
}

/** An attachment could not be fetched: too large, from a host that is not the platform's, or unreachable. */
export class AttachmentError extends Error {
  constructor(
    readonly code: 'ATTACHMENT_TOO_LARGE' | 'ATTACHMENT_HOST_REFUSED' | 'ATTACHMENT_UNREACHABLE',
    message: string,
  ) {
    super(message);
    this.name = 'AttachmentError';
  }
}
