import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { DashboardAccessError, startDashboard, type RunningDashboard } from '../src/dashboard/dashboard-server.js';
import type { DashboardDeps } from '../src/dashboard/dashboard-deps.js';
import { AlignmentRecords } from '../src/memory/alignment-records.js';
import { alice, bob, seedDashboard } from './support/dashboard-seed.js';
import { createTestBot, type TestBot } from './support/harness.js';
import { RecordingChat } from './support/recording-chat.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(import.meta.dirname, '..', 'test-results', 'dashboard');
const TOKEN = 'dashboard-test-token';
const silent = pino({ level: 'silent' });

let t: TestBot;
let deps: DashboardDeps;
let ids: Awaited<ReturnType<typeof seedDashboard>>;
let local: RunningDashboard;

beforeAll(async () => {
  t = await createTestBot();
  // Noon today: the seeded events (up to an hour apart) never straddle a midnight, whenever the test runs.
  const now = new Date();
  now.setUTCHours(12, 0, 0, 0);
  ids = await seedDashboard(t, new RecordingChat(), now);
  deps = {
    store: t.store,
    db: t.store.db,
    records: new AlignmentRecords(t.store.db),
    embed: (texts) => t.core.model.embed(texts),
    queueStats: () => ({ waiting: 2, running: 1 }),
    days: 30,
    now: () => now,
  };
  local = await startDashboard({ port: 0, host: '127.0.0.1' }, deps, silent);
}, 60_000);
afterAll(async () => {
  await local?.stop();
  await t?.close();
});

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(url, { redirect: 'manual', ...init });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

describe('dashboard over HTTP', () => {
  it('serves the seeded figures as plain HTML tables, with no script', async () => {
    const overview = await get(local.url);
    expect(overview.status).toBe(200);
    expect(overview.text).not.toContain('<script');
    expect(overview.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(overview.text).toContain('Alice Liddell');
    expect(overview.text).toContain('2 waiting, 1 running');
    const member = await get(`${local.url}members/${ids.aliceId}`);
    expect(member.status).toBe(200);
    expect(member.text).toMatch(/<ins>[^<]*blue cheese/);
    expect((await get(`${local.url}members/999999`)).status).toBe(404);
  });

  it('is read-only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await get(`${local.url}members/${ids.aliceId}`, { method });
      expect(response.status).toBe(405);
    }
    expect(t.store.findMember(alice)).toBe(ids.aliceId);
  });

  it('refuses to listen beyond loopback without a token, and asks for it there', async () => {
    await expect(startDashboard({ port: 0, host: '0.0.0.0' }, deps, silent)).rejects.toBeInstanceOf(DashboardAccessError);
    expect(() => loadConfig({ DASHBOARD_PORT: '8080', DASHBOARD_HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadConfig({ DASHBOARD_PORT: '8080', DASHBOARD_HOST: '0.0.0.0', DASHBOARD_TOKEN: TOKEN })).not.toThrow();
    const open = await startDashboard({ port: 0, host: '0.0.0.0', token: TOKEN }, deps, silent);
    try {
      // Bound to every interface, asked over loopback only.
      const url = open.url.replace('0.0.0.0', '127.0.0.1');
      const refused = await get(url);
      expect(refused.status).toBe(401);
      expect(refused.text).not.toContain('Alice');
      expect((await get(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await get(url, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      const first = await get(`${url}members/${ids.aliceId}?token=${TOKEN}`);
      expect(first.status).toBe(303);
      expect(first.headers.get('location')).toBe(`/members/${ids.aliceId}`);
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      expect(first.headers.get('set-cookie')).toMatch(/HttpOnly/i);
      const withCookie = await get(`${url}members/${ids.aliceId}`, { headers: { cookie } });
      expect(withCookie.status).toBe(200);
      expect(withCookie.text).toContain('Alice Liddell');
    } finally {
      await open.stop();
    }
  });
});

const browserMissing = !existsSync(CHROMIUM);
if (browserMissing) console.warn(`Skipping the dashboard browser test: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run installs it).`);

describe.skipIf(browserMissing)('dashboard in headless Chromium', () => {
  let profile: string;
  let browser: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    profile = mkdtempSync(join(tmpdir(), 'dashboard-chromium-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      // The pages have no script; with JavaScript off they must still show every table and chart.
      javaScriptEnabled: false,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** Opens a page, records console errors and any request that leaves loopback, saves a full-page screenshot. */
  async function open(path: string, screenshot: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (message) => message.type() === 'error' && problems.push(`${path}: ${message.text()}`));
    page.on('pageerror', (error) => problems.push(`${path}: ${error.message}`));
    page.on('request', (request) => !request.url().startsWith(local.url) && problems.push(`${path}: request to ${request.url()}`));
    const response = await page.goto(`${local.url}${path.replace(/^\//, '')}`);
    expect(response?.status()).toBe(200);
    await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
    return page;
  }

  async function cells(page: Page, table: string): Promise<string[][]> {
    return page.$$eval(`${table} tbody tr`, (rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim() ?? '')));
  }

  it('shows the overview with the seeded figures and rendered charts', async () => {
    const page = await open('/', 'overview.png');
    const members = await cells(page, '#members');
    expect(members.map((row) => row[0]).slice(0, 3)).toEqual(['discord:w1:carol', 'Alice Liddell discord:w1:alice', 'discord:w1:bob']);
    expect(members).toHaveLength(8);
    const aliceRow = members.find((row) => row[0]!.startsWith('Alice Liddell'))!;
    // 12 questions, 12 labelled (6 corrected, 1 👍, then 4 👍 and 1 corrected), 5 👍.
    expect(aliceRow.slice(1, 4)).toEqual(['12', '12', '5']);
    expect(members.find((row) => row[0] === 'discord:w1:bob')!.slice(1, 4)).toEqual(['2', '2', '1']);
    const runs = await cells(page, '#runs');
    expect(runs.map((row) => [row[1], row[2]])).toEqual([['Alice Liddell', 'accepted'], ['discord:w1:bob', 'failed']]);
    expect(await page.textContent('body')).toContain('2 waiting, 1 running');
    // The latest day: 3 questions, 2 labels (1 approved); two measured answers with the answer path's figures.
    expect((await cells(page, '#days'))[0]!.slice(1)).toEqual(['3', '2', '1', '50% (9–91%)', '2', '1.5', '1.9 s', '425 ms', '30 ms', '900']);
    await expectCharts(page, 4);
    // Five days of activity: a bar per series and day, told apart by colour and named in the legend.
    const activity = await chartFacts(page, 'Questions and labels per day');
    expect(activity.marks.filter((mark) => mark === 'bar')).toHaveLength(10);
    expect(activity.fills).toBe(2);
    expect(activity.legend).toMatch(/questions, labels$/);
    expect(activity.axes).toEqual([expect.stringContaining("X-axis titled 'day'"), expect.stringContaining("Y-axis titled 'count'")]);
    // The approval rate per day is drawn inside its interval, a band over the days.
    const approval = await chartFacts(page, 'Approval per day');
    expect(approval.marks).toContain('errorband');
    expect(approval.legend).toMatch(/approval, 95% interval$/);
    await page.close();
  });

  it("shows a member's persona timeline with the diff, approval per version and held-out scores", async () => {
    const page = await open(`/members/${ids.aliceId}`, 'member.png');
    const versions = await cells(page, '#versions');
    // Version 2: 5 answers, 5 labelled, 4 👍, 1 👎; held out 0.00 → 1.00; batch before only (not replayed), and the page says why.
    expect(versions[0]!.slice(0, 1).concat(versions[0]!.slice(3, 7), versions[0]!.slice(8))).toEqual(['2', '5', '5', '4', '1', '0.00 → 1.00', '0.33 → not measured']);
    const why = 'the new persona answered only the held-out questions, which saves a model call per batch question';
    expect(await page.$$eval('#batch-missing li', (items) => items.map((item) => item.textContent))).toEqual([`version 2: ${why}`]);
    expect(await page.textContent('#v2 p.muted')).toContain(`batch 0.33 → not measured (${why})`);
    expect(versions[1]!.slice(3, 7)).toEqual(['7', '7', '1', '6']);
    const inserted = await page.$$eval('#v2 .diff ins', (parts) => parts.map((part) => part.textContent ?? '').join(' '));
    expect(inserted).toContain('IMPROVED');
    expect(inserted).toContain('blue cheese, white wine with fish');
    expect(await page.$$eval('#v2 .diff del', (parts) => parts.length)).toBe(0);
    expect(await page.$$eval('#v2 table.corrections tbody tr', (rows) => rows.length)).toBe(3);
    expect(await page.$$eval('#v2 table.held-out tbody tr', (rows) => rows.length)).toBe(3);
    await expectCharts(page, 1);
    // One error bar per labelled version (v1 and v2), around the approval point.
    const approval = await chartFacts(page, 'Approval per persona version');
    expect(approval.marks.filter((mark) => mark === 'errorbar')).toHaveLength(2);
    expect(approval.marks.filter((mark) => mark === 'point')).toHaveLength(2);
    expect(approval.legend).toMatch(/approval, 95% interval$/);
    await page.close();
  });

  it('draws the persona map and the similarity heat map', async () => {
    const page = await open('/map', 'persona-map.png');
    await expectCharts(page, 2);
    const rows = await cells(page, '#similarity');
    expect(rows).toHaveLength(8);
    // Closest personas by embedding: the two football fans, the two cooks.
    const closest = Object.fromEntries(rows.map((row) => [row[0], row[1]]));
    expect(closest['discord:w1:dave']).toBe('Heidi');
    expect(closest['Grace Hopper']).toMatch(/Alice Liddell|discord:w2:erin/);
    // Every member is named on the map (bob's and carol's identical personas share one spot and one label).
    const map = await chartFacts(page, 'Persona map');
    expect(map.pointLabels.flatMap((label) => label.split(', ')).sort()).toEqual(rows.map((row) => row[0]).sort());
    expect(map.subtitle).toContain('classical MDS (8 points');
    expect((await chartFacts(page, 'similarity')).legendTitle).toBe('cosine similarity');
    await page.close();
  });

  it('had no console errors and made no request beyond the dashboard', () => {
    expect(problems).toEqual([]);
  });

  /** What the chart whose caption holds `caption` draws: its data marks' kinds, fills, legend, axes, point labels. */
  async function chartFacts(page: Page, caption: string) {
    const figure = page.locator('figure.chart', { hasText: caption });
    return figure.evaluate((element) => {
      const described = (selector: string) => [...element.querySelectorAll(selector)].map((node) => node.getAttribute('aria-label') ?? '');
      const data = [...element.querySelectorAll('[role="graphics-symbol"]')].filter((node) => !node.closest('.role-legend, .role-axis, .role-title'));
      const textsOf = (selector: string) => [...element.querySelectorAll(`${selector} text`)].map((node) => node.textContent ?? '');
      return {
        marks: data.map((node) => node.getAttribute('aria-roledescription')),
        fills: new Set(data.filter((node) => node.getAttribute('aria-roledescription') === 'bar').map((node) => node.getAttribute('fill'))).size,
        legend: described('[aria-roledescription="legend"]')[0] ?? '',
        legendTitle: textsOf('.role-legend-title')[0] ?? '',
        axes: described('[aria-roledescription="axis"]'),
        pointLabels: textsOf('.point_labels_marks'),
        subtitle: described('[aria-roledescription="subtitle"]')[0] ?? '',
      };
    });
  }

  /** Every chart on the page is an SVG with drawn marks. */
  async function expectCharts(page: Page, count: number): Promise<void> {
    const sizes = await page.$$eval('figure.chart svg', (svgs) => svgs.map((svg) => ({ marks: svg.querySelectorAll('path, rect, circle, line').length, width: svg.getBoundingClientRect().width })));
    expect(sizes).toHaveLength(count);
    for (const size of sizes) {
      expect(size.marks).toBeGreaterThan(0);
      expect(size.width).toBeGreaterThan(100);
    }
  }
});

describe('forget', () => {
  it('removes the member from every figure of the dashboard', async () => {
    const before = await get(local.url);
    expect(before.text).toContain('discord:w1:bob');
    await t.bot.handle({ kind: 'command', name: 'persona', member: bob, channelId: 'c1', args: ['forget', 'confirm'], at: new Date() }, new RecordingChat());
    for (const path of ['', 'map']) expect((await get(`${local.url}${path}`)).text).not.toContain('discord:w1:bob');
    expect((await get(`${local.url}members/${ids.bobId}`)).status).toBe(404);
  });
});
