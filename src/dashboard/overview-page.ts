import { html } from 'hono/html';
import { formatRate, wilsonInterval } from '../core/approval.js';
import { alignmentRuns, alignmentTotals, dailyActivity, dailyAnswerCosts, listMemberRows, type CostRow, type DayRow, type MemberRow, type RunRow } from '../memory/dashboard-queries.js';
import { barSvg, lineSvg, rateSvg } from './charts.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { chart, clip, duration, page, rateText, when, type Fragment } from './layout.js';

const RECENT_RUNS = 20;

/** The overview: members, use and approval per day, answer costs, queue, alignment runs. */
export async function overviewPage(deps: DashboardDeps): Promise<Fragment> {
  const since = new Date(deps.now().getTime() - deps.days * 86_400_000).toISOString().slice(0, 10);
  const members = listMemberRows(deps.db);
  const days = dailyActivity(deps.db, since);
  const costs = dailyAnswerCosts(deps.db, since);
  const runs = alignmentRuns(deps.db, RECENT_RUNS);
  const totals = alignmentTotals(deps.db, since);
  const labelled = days.reduce((sum, day) => sum + day.labels, 0);
  const approved = days.reduce((sum, day) => sum + day.approved, 0);
  const queue = deps.queueStats?.();
  const charts = await overviewCharts(days, costs);
  const body = html`<h1>Overview</h1>
<p class="muted">The last ${deps.days} days, in UTC. Approval is the share of labelled answers (thumbs up or down) that got a thumbs up, with its 95% Wilson interval.</p>
<div class="cards">
  ${card(String(members.length), 'members')}
  ${card(String(days.reduce((sum, day) => sum + day.questions, 0)), 'questions')}
  ${card(String(labelled), 'labelled answers')}
  ${card(rateText(wilsonInterval(approved, labelled)), 'approval')}
  ${card(queue ? `${queue.waiting} waiting, ${queue.running} running` : 'not measured', 'model queue now')}
  ${card(`${totals.accepted.runs} / ${totals.rejected.runs} / ${totals.failed.runs}`, 'alignment runs accepted / rejected / failed')}
</div>
<div class="charts">${charts}</div>
<h2>Members</h2>${membersTable(members)}
<h2>By day</h2>${daysTable(days, costs)}
<h2>Alignment runs</h2>
<p class="muted">Since ${since}: ${outcomeLine('accepted', totals.accepted)}; ${outcomeLine('rejected', totals.rejected)}; ${outcomeLine('failed', totals.failed)}. Latest ${RECENT_RUNS}:</p>
${runsTable(runs)}`;
  return page('Overview', 'overview', body);
}

async function overviewCharts(days: DayRow[], costs: CostRow[]): Promise<Fragment[]> {
  const approval = days.flatMap((day) => {
    const rate = wilsonInterval(day.approved, day.labels);
    return rate ? [{ x: day.day, y: rate.rate, low: rate.low, high: rate.high, tooltip: `${day.day}: ${formatRate(rate)}, ${day.approved} of ${day.labels} labels approving` }] : [];
  });
  const activity = everyDay(days);
  const perDay = (name: string, pick: (row: CostRow) => number | null) => ({ name, points: costs.flatMap((row) => (pick(row) === null ? [] : [{ x: row.day, y: pick(row)! }])) });
  const [activitySvg, approvalSvg, time, calls] = await Promise.all([
    barSvg({ title: 'Questions and labels per day', xLabel: 'day', yLabel: 'count', series: [{ name: 'questions', points: activity.map((day) => ({ x: day.day, y: day.questions })) }, { name: 'labels', points: activity.map((day) => ({ x: day.day, y: day.labels })) }] }),
    rateSvg({ title: 'Approval per day', xLabel: 'day', yLabel: 'approval', interval: '95% interval', points: approval }),
    lineSvg({ title: 'Time per answer (mean, ms)', xLabel: 'day', yLabel: 'ms', series: [perDay('answer', (row) => row.answerMs), perDay('first text', (row) => row.firstTextMs), perDay('queue wait', (row) => row.waitMs)] }),
    lineSvg({ title: 'Model calls per answer (mean)', xLabel: 'day', yLabel: 'calls', series: [perDay('model calls', (row) => row.modelCalls)] }),
  ]);
  return [
    chart('Questions and labels per day', activitySvg),
    chart('Approval per day, with its 95% interval', approvalSvg, 'No labelled answers yet.'),
    chart('Time per answer', time, 'No answer has been measured yet.'),
    chart('Model calls per answer', calls, 'No answer has been measured yet.'),
  ];
}

/** The days from the first to the last with activity, quiet days as zeros, so the bars keep the calendar's spacing. */
function everyDay(days: DayRow[]): DayRow[] {
  const first = days[0];
  const last = days.at(-1);
  if (!first || !last) return [];
  const byDay = new Map(days.map((day) => [day.day, day]));
  const filled: DayRow[] = [];
  for (let time = Date.parse(first.day); time <= Date.parse(last.day); time += 86_400_000) {
    const day = new Date(time).toISOString().slice(0, 10);
    filled.push(byDay.get(day) ?? { day, questions: 0, labels: 0, approved: 0 });
  }
  return filled;
}

function card(value: string, label: string): Fragment {
  return html`<div class="card"><div class="value">${value}</div><div class="label">${label}</div></div>`;
}

function outcomeLine(outcome: string, total: { runs: number; modelCalls: number; ms: number }): string {
  return `${total.runs} ${outcome} (${total.modelCalls} model calls, ${duration(total.ms)})`;
}

function membersTable(members: MemberRow[]): Fragment {
  if (members.length === 0) return html`<p class="note">No members yet.</p>`;
  const rows = members.map(
    (member) => html`<tr><td><a href="/members/${member.id}">${member.displayName ?? member.key}</a>${member.displayName ? html` <span class="muted">${member.key}</span>` : ''}</td>
<td class="num">${member.interactions}</td><td class="num">${member.labelled}</td><td class="num">${member.approved}</td><td class="num">${rateText(wilsonInterval(member.approved, member.labelled))}</td><td class="num">${member.versions}</td><td>${when(member.lastSeen)}</td></tr>`,
  );
  return html`<table id="members"><thead><tr><th>member</th><th class="num">questions</th><th class="num">labelled</th><th class="num">approved</th><th class="num">approval (95%)</th><th class="num">persona versions</th><th>last seen</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function daysTable(days: DayRow[], costs: CostRow[]): Fragment {
  if (days.length === 0) return html`<p class="note">No questions in this period.</p>`;
  const costByDay = new Map(costs.map((row) => [row.day, row]));
  const rows = [...days].reverse().map((day) => {
    const cost = costByDay.get(day.day);
    const mean = (value: number | null | undefined, digits = 1) => (value === null || value === undefined ? '–' : value.toFixed(digits));
    return html`<tr><td>${day.day}</td><td class="num">${day.questions}</td><td class="num">${day.labels}</td><td class="num">${day.approved}</td><td class="num">${rateText(wilsonInterval(day.approved, day.labels))}</td>
<td class="num">${cost?.measured ?? 0}</td><td class="num">${mean(cost?.modelCalls)}</td><td class="num">${duration(cost?.answerMs)}</td><td class="num">${duration(cost?.firstTextMs)}</td><td class="num">${duration(cost?.waitMs)}</td><td class="num">${mean(cost?.promptTokens, 0)}</td></tr>`;
  });
  return html`<table id="days"><thead><tr><th>day</th><th class="num">questions</th><th class="num">labels</th><th class="num">approved</th><th class="num">approval (95%)</th><th class="num">measured answers</th><th class="num">model calls / answer</th><th class="num">answer time</th><th class="num">first text</th><th class="num">queue wait</th><th class="num">prompt tokens</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Alignment attempts, newest first; shared by the overview and the member page. */
export function runsTable(runs: RunRow[]): Fragment {
  if (runs.length === 0) return html`<p class="note">No alignment run yet.</p>`;
  const rows = runs.map(
    (run) => html`<tr><td>${when(run.startedAt)}</td><td><a href="/members/${run.memberId}">${run.member}</a></td><td class="outcome-${run.outcome}">${run.outcome}</td><td class="num">${run.modelCalls}</td><td class="num">${duration(run.ms)}</td><td class="clip">${clip(run.detail, 200)}</td></tr>`,
  );
  return html`<table id="runs"><thead><tr><th>started</th><th>member</th><th>outcome</th><th class="num">model calls</th><th class="num">time</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>`;
}
