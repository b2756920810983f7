import { diffWords } from 'diff';
import { html } from 'hono/html';
import { missingFigure, versionBatchAfterMissing } from '../core/alignment.js';
import { formatRate, wilsonInterval } from '../core/approval.js';
import type { VersionValidation } from '../memory/alignment-records.js';
import { approvalByVersion, type VersionApproval } from '../memory/approval.js';
import { alignmentRuns, memberRow, recentInteractions, type InteractionRow } from '../memory/dashboard-queries.js';
import type { InteractionRecord, PersonaVersion } from '../memory/records.js';
import { rateSvg } from './charts.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { change, chart, clip, duration, page, rateText, when, type Fragment } from './layout.js';
import { runsTable } from './overview-page.js';

const RECENT = 25;
/** Below this share of unchanged text, a word diff is noise: show both texts. */
const MOSTLY_NEW = 0.4;
const why = { init: 'created from the profile', aligned: 'rewritten from feedback', reset: 'reset by the member' } as const;

/** One member: persona timeline with diffs, approval per version, held-out and batch scores, recent interactions. Null when unknown. */
export async function memberPage(deps: DashboardDeps, memberId: number): Promise<Fragment | null> {
  const member = memberRow(deps.db, memberId);
  if (!member) return null;
  const versions = deps.store.personaHistory(memberId, -1);
  const approvals = new Map(approvalByVersion(deps.db, memberId).map((approval) => [approval.versionId, approval]));
  const validations = deps.records.validations(memberId);
  const name = member.displayName ?? member.key;
  const svg = await approvalChart([...versions].reverse().map((version) => approvals.get(version.id)!));
  const body = html`<h1>${name}</h1>
<p class="muted">${member.key} · ${member.interactions} questions · ${member.labelled} labelled · ${rateText(wilsonInterval(member.approved, member.labelled))} approved · last seen ${when(member.lastSeen)}</p>
<h2>Approval per persona version</h2>
<div class="charts">${chart('Approval per version, with its 95% interval', svg, 'No labelled answers yet.')}</div>
${versionsTable(versions, approvals, validations)}
<h2>Persona timeline</h2>
<p class="muted">Newest first. Each rewrite shows what changed, how it was checked before it went live, and the corrections it was written from.</p>
${versions.map((version, index) => versionCard(deps, version, versions[index + 1], approvals.get(version.id), validations.get(version.id)))}
<h2>Alignment runs</h2>${runsTable(alignmentRuns(deps.db, RECENT, memberId))}
<h2>Recent interactions</h2>${interactionsTable(recentInteractions(deps.db, memberId, RECENT), versionNumbers(versions))}`;
  return page(name, 'member', body);
}

async function approvalChart(approvals: VersionApproval[]): Promise<string | null> {
  const points = approvals.flatMap((approval) => {
    const rate = wilsonInterval(approval.approved, approval.labelled);
    return rate ? [{ x: `v${approval.number}`, y: rate.rate, low: rate.low, high: rate.high, tooltip: `version ${approval.number}: ${formatRate(rate)}, ${approval.approved} of ${approval.labelled} labelled answers approved` }] : [];
  });
  return rateSvg({ title: 'Approval per persona version', xLabel: 'version', yLabel: 'approval', interval: '95% interval', points });
}

function versionsTable(versions: PersonaVersion[], approvals: Map<number, VersionApproval>, validations: Map<number, VersionValidation>): Fragment {
  const rows = versions.map((version) => {
    const approval = approvals.get(version.id)!;
    const check = validations.get(version.id);
    return html`<tr><td><a href="#v${approval.number}">${approval.number}</a></td><td>${why[version.reason]}</td><td>${when(version.createdAt)}</td>
<td class="num">${approval.answers}</td><td class="num">${approval.labelled}</td><td class="num">${approval.approved}</td><td class="num">${approval.corrected}</td><td class="num">${rateText(wilsonInterval(approval.approved, approval.labelled))}</td>
<td class="num">${change(check?.heldOutBefore, check?.heldOutAfter)}</td><td class="num">${batchChange(version, check)}</td></tr>`;
  });
  const notes = versions.flatMap((version) => {
    const why = versionBatchAfterMissing(version, validations.get(version.id));
    return why ? [html`<li>version ${approvals.get(version.id)?.number ?? '?'}: ${why}</li>`] : [];
  });
  return html`${notes.length > 0 ? html`<div class="note" id="batch-missing">Batch score after the rewrite not measured for<ul>${notes}</ul></div>` : ''}<table id="versions"><thead><tr><th>version</th><th>why</th><th>written</th><th class="num">answers</th><th class="num">labelled</th><th class="num">approved</th><th class="num">corrected</th><th class="num">approval (95%)</th><th class="num">held out before → after</th><th class="num">batch before → after</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function versionCard(deps: DashboardDeps, version: PersonaVersion, previous: PersonaVersion | undefined, approval: VersionApproval | undefined, check: VersionValidation | undefined): Fragment {
  const number = approval?.number ?? 0;
  const batch = deps.store.interactions(version.batchIds);
  const heldOut = deps.store.interactions(check?.heldOutIds ?? []);
  const missing = versionBatchAfterMissing(version, check);
  const checked = check?.heldOutBefore != null ? `held out ${change(check.heldOutBefore, check.heldOutAfter)} on ${check.heldOutIds.length} questions` : check?.note ? `checked on the batch only: ${check.note}` : '';
  return html`<section class="version ${version.reason}" id="v${number}">
<h3>Version ${number}: ${why[version.reason]}, ${when(version.createdAt)}</h3>
<p class="muted">${approval ? rateText(wilsonInterval(approval.approved, approval.labelled)) : '–'} approved of ${approval?.labelled ?? 0} labelled · batch ${batchChange(version, check)}${missing ? ` (${missing})` : ''}${checked ? ` · ${checked}` : ''}${version.model ? ` · ${version.model}` : ''}</p>
${previous ? html`<div class="diff" aria-label="changes from version ${number - 1}">${diffHtml(previous.text, version.text)}</div>` : html`<details><summary>Text</summary><div class="diff">${version.text}</div></details>`}
${batch.length > 0 ? html`<h3>Labelled answers it was written from</h3>${itemsTable(batch, 'corrections')}` : ''}
${heldOut.length > 0 ? html`<h3>Held-out questions it was checked on</h3>${itemsTable(heldOut, 'held-out')}` : ''}
${version.feedback.length > 0 ? html`<details><summary>Feedback the rewrite was made from (${version.feedback.length})</summary><ol>${version.feedback.map((text) => html`<li>${clip(text, 600)}</li>`)}</ol></details>` : ''}
</section>`;
}

/** The batch figures, `0.33 → not measured` when the rewrite's score is missing (the page says why). */
function batchChange(version: PersonaVersion, check: VersionValidation | undefined): string {
  return versionBatchAfterMissing(version, check) ? missingFigure(version.scoreBefore) : change(version.scoreBefore, version.scoreAfter);
}

/** Word diff as `<del>`/`<ins>`, every piece escaped; a mostly new text reads better as the old one, then the new one. */
function diffHtml(before: string, after: string): Fragment[] {
  const parts = diffWords(before, after);
  const kept = parts.filter((part) => !part.added && !part.removed).reduce((sum, part) => sum + part.value.length, 0);
  if (kept < Math.max(before.length, after.length) * MOSTLY_NEW) return [html`<del class="block">${before}</del><ins class="block">${after}</ins>`];
  return parts.map((part) => (part.added ? html`<ins>${part.value}</ins>` : part.removed ? html`<del>${part.value}</del>` : html`${part.value}`));
}

function itemsTable(items: InteractionRecord[], kind: string): Fragment {
  const rows = items.map((item) => html`<tr><td>${when(item.askedAt)}</td><td class="clip">${clip(item.question)}</td><td class="clip">${clip(item.answer)}</td><td>${label(item.feedback)}</td><td class="clip">${clip(item.groundTruth)}</td></tr>`);
  return html`<table class="${kind}"><thead><tr><th>asked</th><th>question</th><th>the bot's answer</th><th>label</th><th>the member's answer</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function interactionsTable(rows: InteractionRow[], numbers: Map<number, number>): Fragment {
  if (rows.length === 0) return html`<p class="note">No interactions.</p>`;
  const body = rows.map(
    (row) => html`<tr><td>${when(row.askedAt)}</td><td class="clip">${clip(row.question)}</td><td class="clip">${clip(row.answer)}</td><td>${label(row.feedback)}</td><td class="clip">${clip(row.groundTruth)}</td>
<td class="num">${row.versionId === null ? '–' : (numbers.get(row.versionId) ?? '–')}</td><td class="num">${row.modelCalls ?? '–'}</td><td class="num">${duration(row.answerMs)}</td></tr>`,
  );
  return html`<table id="interactions"><thead><tr><th>asked</th><th>question</th><th>answer</th><th>label</th><th>right answer</th><th class="num">version</th><th class="num">model calls</th><th class="num">time</th></tr></thead><tbody>${body}</tbody></table>`;
}

function versionNumbers(versions: PersonaVersion[]): Map<number, number> {
  return new Map([...versions].reverse().map((version, index) => [version.id, index + 1]));
}

function label(feedback: string): string {
  return { positive: 'approved', negative: 'wrong', negative_corrected: 'corrected', none: '–' }[feedback] ?? feedback;
}
