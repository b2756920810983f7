import { html } from 'hono/html';
import type { DashboardDeps } from './dashboard-deps.js';
import { page, type Fragment } from './layout.js';

/** The persona map: every member's live persona embedded and projected to 2-D, and their similarity. */
export async function personaMapPage(_deps: DashboardDeps): Promise<Fragment> {
  return page('Persona map', 'map', html`<h1>Persona map</h1><p class="note">The persona map is not built yet.</p>`);
}
