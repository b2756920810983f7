import type { ServerResponse } from 'node:http';

/** A member's file as a platform's file host holds it; `served` counts the bytes actually written out. */
export interface HostedFile {
  name: string;
  body: Buffer;
  contentType: string;
  /** The size the platform reports in the message (a lying client may differ from the body). */
  reportedSize: number;
  /** Whether the response declares its length (a streamed body does not). */
  declareLength: boolean;
  served: number;
  requests: number;
}

/** The files of a fake platform, written out in small pieces, each after the client took the last. */
export class FileHost {
  readonly files = new Map<string, HostedFile>();

  /** Holds a file; options say what the platform reports and whether the length is declared. */
  add(name: string, content: string | Buffer, options: { contentType?: string; reportedSize?: number; declareLength?: boolean } = {}): HostedFile {
    const body = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const file = { name, body, contentType: options.contentType ?? 'text/plain; charset=utf-8', reportedSize: options.reportedSize ?? body.length, declareLength: options.declareLength ?? true, served: 0, requests: 0 };
    this.files.set(name, file);
    return file;
  }

  /** Answers a request for a file (404 for an unknown one), counting what goes out until the client stops reading. */
  async serve(name: string, response: ServerResponse): Promise<void> {
    const file = this.files.get(name);
    if (!file) return void response.writeHead(404).end();
    file.requests += 1;
    response.writeHead(200, { 'content-type': file.contentType, ...(file.declareLength ? { 'content-length': String(file.body.length) } : {}) });
    for (let offset = 0; offset < file.body.length && !response.destroyed; offset += 16_384) {
      const piece = file.body.subarray(offset, offset + 16_384);
      file.served += piece.length;
      if (!response.write(piece)) await drained(response);
    }
    response.end();
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
