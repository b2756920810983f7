import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Rate } from '../core/approval.js';

/** An HTML fragment, as hono's `html` helper makes it. */
export type Fragment = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The page shell: title, navigation, content. No script: every table reads with JavaScript off. */
export function page(title: string, current: 'overview' | 'map' | 'member', body: Fragment): Fragment {
  const link = (href: string, name: string, key: typeof current) => html`<a href="${href}" ${key === current ? raw('aria-current="page"') : ''}>${name}</a>`;
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · persona-bot</title><link rel="stylesheet" href="/style.css"><link rel="icon" href="data:,"></head>
<body>
<header><strong>persona-bot</strong>${link('/', 'Overview', 'overview')}${link('/map', 'Persona map', 'map')}</header>
<main>${body}</main>
</body>
</html>`;
}

/** A chart as inline SVG with a caption, or a note saying why there is none. */
export function chart(caption: string, svg: string | null, empty = 'Not enough data yet.'): Fragment {
  return html`<figure class="chart"><figcaption>${caption}</figcaption>${svg === null ? html`<p class="note">${empty}</p>` : raw(svg)}</figure>`;
}

/** `78% (45–94%)`, or a dash without labels. */
export function rateText(rate: Rate | null): string {
  if (!rate) return '–';
  const percent = (value: number) => Math.round(value * 100);
  return `${percent(rate.rate)}% (${percent(rate.low)}–${percent(rate.high)}%)`;
}

/** A 0–1 score with two decimals, or a dash. */
export function score(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(2);
}

/** `before → after`, or a dash when neither is known. */
export function change(before: number | null | undefined, after: number | null | undefined): string {
  return before == null && after == null ? '–' : `${score(before)} → ${score(after)}`;
}

/** `2026-11-29 19:30 UTC` */
export function when(iso: string | Date | null): string {
  if (iso === null) return '–';
  const date = typeof iso === 'string' ? new Date(iso) : iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Milliseconds as `850 ms` or `12.3 s`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Text cut to `length` characters on one line. */
export function clip(text: string | null, length = 140): string {
  if (text === null) return '–';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}
