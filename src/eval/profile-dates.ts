/** A profile date as milliseconds: a year, epoch seconds, or anything Date.parse reads; times without a zone are UTC. */
export function parseDate(text: string): number {
  const trimmed = text.trim();
  if (/^\d{4}$/.test(trimmed)) return Date.UTC(Number(trimmed), 0, 1);
  if (/^\d{9,}$/.test(trimmed)) return Number(trimmed) * 1000;
  // Read as UTC so the dates the model sees in memories do not depend on the machine's time zone.
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed)) return Date.parse(`${trimmed.replace(' ', 'T')}Z`);
  return Date.parse(trimmed);
}
