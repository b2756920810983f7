import { AttachmentError } from '../src/core/question-files.js';

/** The hosts a platform serves its members' files from. Only tests pass anything but the platform's own. */
export interface FileHosts {
  hosts: readonly string[];
  /** `https:` unless a test serves files over plain HTTP on loopback. */
  protocols?: readonly string[];
}

/** How one download is made. */
export interface DownloadOptions {
  allowed: FileHosts;
  maxBytes: number;
  /** Sent only to the allowed hosts (Slack's files need the bot token). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const REDIRECTS = 3;
const DEFAULT_TIMEOUT_MS = 15_000;

/**
 * Fetches a member's file from the platform's own file hosts: any other host (a redirect included)
 * is refused, a declared size over the limit is refused before the body is read, and a body that
 * runs past the limit is cut off there. Nothing is written anywhere.
 */
export async function downloadAttachment(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const signal = AbortSignal.any([AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS), ...(options.signal ? [options.signal] : [])]);
  let target = checkedUrl(url, options.allowed);
  for (let hop = 0; hop <= REDIRECTS; hop += 1) {
    const response = await fetch(target, { headers: options.headers, redirect: 'manual', signal }).catch((error: unknown) => {
      throw new AttachmentError('ATTACHMENT_UNREACHABLE', `The file could not be fetched: ${(error as Error).message}`);
    });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      target = checkedUrl(new URL(location, target).href, options.allowed);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AttachmentError('ATTACHMENT_UNREACHABLE', `The file host answered ${response.status}.`);
    }
    return readLimited(response, options.maxBytes);
  }
  throw new AttachmentError('ATTACHMENT_UNREACHABLE', 'The file host redirected too often.');
}

function checkedUrl(url: string, allowed: FileHosts): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AttachmentError('ATTACHMENT_HOST_REFUSED', 'The file address is not a URL.');
  }
  const protocols = allowed.protocols ?? ['https:'];
  if (!protocols.includes(parsed.protocol) || !allowed.hosts.includes(parsed.hostname)) {
    throw new AttachmentError('ATTACHMENT_HOST_REFUSED', `Files are fetched only from ${allowed.hosts.join(', ')}.`);
  }
  return parsed;
}

/** Reads the body up to `maxBytes`; one byte more and the download stops. */
async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number): AttachmentError {
  return new AttachmentError('ATTACHMENT_TOO_LARGE', `The file is larger than ${maxBytes} bytes.`);
}
