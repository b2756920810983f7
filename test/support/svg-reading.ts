import { DOMParser, type Document, type Element } from '@xmldom/xmldom';
import { expect } from 'vitest';

/** Parses strictly: any XML error fails the test. */
export function parseSvg(svg: string): Document {
  return new DOMParser({ onError: (level, message) => expect.fail(`SVG ${level}: ${message}`) }).parseFromString(svg, 'image/svg+xml');
}

function all(root: Document | Element): Element[] {
  return Array.from(root.getElementsByTagName('*'));
}

/** The data marks of a kind, as vega labels them for assistive technology (`point`, `bar`, `errorbar`…). */
export function marks(document: Document, kind: string): Element[] {
  return all(document).filter((element) => element.getAttribute('role') === 'graphics-symbol' && element.getAttribute('aria-roledescription') === kind);
}

/** Vega's accessible description of the chart's axis (`X` or `Y`) or legend, e.g. "X-axis titled 'day' …". */
export function describedAs(document: Document, what: 'X' | 'Y' | 'legend'): string {
  const found = all(document).find((element) => {
    const label = element.getAttribute('aria-label') ?? '';
    return what === 'legend' ? element.getAttribute('aria-roledescription') === 'legend' : label.startsWith(`${what}-axis`);
  });
  return found?.getAttribute('aria-label') ?? '';
}

/** A text drawn in the SVG, with its position and whether vega hid it (labels that would overlap get opacity 0). */
export interface DrawnText {
  text: string;
  x: number;
  y: number;
  visible: boolean;
}

/** The texts inside groups whose class holds `role` (e.g. `role-axis-label`, `role-legend-label`, `point_labels_marks`). */
export function texts(root: Document | Element, role: string): DrawnText[] {
  const groups = all(root).filter((element) => element.tagName === 'g' && (element.getAttribute('class') ?? '').split(' ').includes(role));
  return groups.flatMap((group) =>
    Array.from(group.getElementsByTagName('text')).map((text) => {
      const [x = 0, y = 0] = (/translate\(([^,]+),([^)]+)\)/.exec(text.getAttribute('transform') ?? '') ?? []).slice(1).map(Number);
      return { text: text.textContent ?? '', x, y, visible: text.getAttribute('opacity') !== '0' };
    }),
  );
}

/** The labels of the X or Y axis, in drawing order. */
export function axisLabels(document: Document, axis: 'X' | 'Y'): DrawnText[] {
  const group = all(document).find((element) => (element.getAttribute('aria-label') ?? '').startsWith(`${axis}-axis`));
  return group ? texts(group, 'role-axis-label') : [];
}
