import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadAttachment } from './attachment-download.js';

let server: Server;
let base: string;
const seen: Array<{ path: string; authorization?: string }> = [];
const loopback = { hosts: ['127.0.0.1'], protocols: ['http:'] };

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', authorization: request.headers.authorization });
    if (request.url === '/away') return void response.writeHead(302, { location: 'http://localhost:1/stolen' }).end();
    if (request.url === '/hop') return void response.writeHead(302, { location: '/file' }).end();
    if (request.url === '/missing') return void response.writeHead(404).end();
    if (request.url === '/declared-big') return void response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000));
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end('hello file');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('downloading a member\'s file', () => {
  it('fetches from an allowed host, sending the headers it is given', async () => {
    const bytes = await downloadAttachment(`${base}/file`, { allowed: loopback, maxBytes: 100, headers: { authorization: 'Bearer t' } });
    expect(Buffer.from(bytes).toString()).toBe('hello file');
    expect(seen.at(-1)).toEqual({ path: '/file', authorization: 'Bearer t' });
  });

  it('refuses any other host or scheme without a request, and a redirect that leaves the allowed hosts', async () => {
    const before = seen.length;
    await expect(downloadAttachment(`${base}/file`, { allowed: { hosts: ['cdn.discordapp.com'] }, maxBytes: 100 })).rejects.toMatchObject({ code: 'ATTACHMENT_HOST_REFUSED' });
    await expect(downloadAttachment(`${base}/file`, { allowed: { hosts: ['127.0.0.1'] }, maxBytes: 100 })).rejects.toMatchObject({ code: 'ATTACHMENT_HOST_REFUSED' });
    expect(seen).toHaveLength(before);
    await expect(downloadAttachment(`${base}/away`, { allowed: loopback, maxBytes: 100, headers: { authorization: 'Bearer t' } })).rejects.toMatchObject({ code: 'ATTACHMENT_HOST_REFUSED' });
    expect(Buffer.from(await downloadAttachment(`${base}/hop`, { allowed: loopback, maxBytes: 100 })).toString()).toBe('hello file');
  });

  it('refuses a declared size over the limit, a body past it, and a failed answer', async () => {
    await expect(downloadAttachment(`${base}/declared-big`, { allowed: loopback, maxBytes: 100 })).rejects.toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    await expect(downloadAttachment(`${base}/file`, { allowed: loopback, maxBytes: 5 })).rejects.toMatchObject({ code: 'ATTACHMENT_TOO_LARGE' });
    await expect(downloadAttachment(`${base}/missing`, { allowed: loopback, maxBytes: 100 })).rejects.toMatchObject({ code: 'ATTACHMENT_UNREACHABLE' });
  });
});
