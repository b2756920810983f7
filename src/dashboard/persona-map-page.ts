import { html } from 'hono/html';
import { COSINE_SCALE } from '../analysis/charts.js';
import { currentPersonas, type CurrentPersona } from '../memory/dashboard-queries.js';
import { heatmapSvg, scatterSvg } from './charts.js';
import type { DashboardDeps } from './dashboard-deps.js';
import { chart, clip, page, type Fragment } from './layout.js';
import type { PersonaEmbeddings, PersonaLayout } from './persona-embeddings.js';

/** The persona map: every member's live persona embedded, projected to 2-D, and compared pairwise. */
export async function personaMapPage(deps: DashboardDeps, embeddings: PersonaEmbeddings | undefined): Promise<Fragment> {
  const personas = currentPersonas(deps.db);
  const intro = html`<h1>Persona map</h1><p class="muted">Each member's live persona, embedded with the configured embedding model and projected to 2-D (classical MDS for a few members, UMAP for many; the map says which): members whose personas say similar things sit close together. Hover a point or a cell for details.</p>`;
  if (!embeddings) return page('Persona map', 'map', html`${intro}<p class="note">No embedding model is configured for the dashboard.</p>`);
  if (personas.length < 2) return page('Persona map', 'map', html`${intro}<p class="note">A map needs at least two members with a persona; there ${personas.length === 1 ? 'is one' : 'are none'}.</p>`);
  let layout: PersonaLayout;
  try {
    layout = await embeddings.layout(personas);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return page('Persona map', 'map', html`${intro}<p class="note">The personas could not be embedded right now (${reason}). The rest of the dashboard does not need the model.</p>`);
  }
  const names = uniqueNames(personas);
  const [map, heat] = await Promise.all([
    scatterSvg({ title: 'Live personas', subtitle: layout.projection, points: personas.map((persona, index) => ({ ...layout.points[index]!, label: names[index]!, group: groupOf(persona), tooltip: `${names[index]}: ${clip(persona.text, 160)}` })) }),
    heatmapSvg({ title: 'Cosine similarity of live personas', rows: names, columns: names, values: layout.similarity, scale: COSINE_SCALE }),
  ]);
  const body = html`${intro}
<div class="charts">${chart('Persona map (2-D projection of the persona embeddings)', map)}${chart('Members × members similarity', heat)}</div>
<h2>Closest persona per member</h2>${similarityTable(personas, names, layout.similarity)}`;
  return page('Persona map', 'map', body);
}

function similarityTable(personas: CurrentPersona[], names: string[], similarity: number[][]): Fragment {
  const rows = personas.map((persona, index) => {
    const others = similarity[index]!.map((value, other) => ({ value, other })).filter(({ other }) => other !== index);
    const closest = others.reduce((best, next) => (next.value > best.value ? next : best));
    return html`<tr><td><a href="/members/${persona.memberId}">${names[index]}</a></td><td><a href="/members/${personas[closest.other]!.memberId}">${names[closest.other]}</a></td><td class="num">${closest.value.toFixed(3)}</td><td class="clip">${clip(persona.text, 200)}</td></tr>`;
  });
  return html`<table id="similarity"><thead><tr><th>member</th><th>closest persona</th><th class="num">cosine similarity</th><th>live persona</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** The platform and workspace a member belongs to, so the map's colours group a server's members. */
function groupOf(persona: CurrentPersona): string {
  return persona.key.split(':').slice(0, 2).join(':');
}

/** Display names may repeat across workspaces; the charts need one distinct label per member. */
function uniqueNames(personas: CurrentPersona[]): string[] {
  const counts = new Map<string, number>();
  for (const persona of personas) counts.set(persona.member, (counts.get(persona.member) ?? 0) + 1);
  return personas.map((persona) => (counts.get(persona.member)! > 1 ? `${persona.member} (${persona.key})` : persona.member));
}
