/** Below this many rows a migration is quick enough to run silently. */
const LARGE = 10_000;
const WIDTH = 30;

/** A progress bar for long migrations on `stream`: redrawn in place on a terminal, a line per quarter otherwise. */
export function progressBar(title: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, step?: string) => void {
  let lastQuarter = -1;
  let lastStep: string | undefined;
  return (done, total, step) => {
    if (total < LARGE) return;
    if (step !== lastStep) lastQuarter = -1;
    lastStep = step;
    const label = step ? `${title}: ${step}` : title;
    const fraction = Math.min(done / total, 1);
    const counts = `${done.toLocaleString('en')} / ${total.toLocaleString('en')}`;
    if (stream.isTTY) {
      const filled = Math.round(fraction * WIDTH);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(fraction * 100)}% ${counts}${done >= total ? '\n' : ''}`);
      return;
    }
    const quarter = Math.floor(fraction * 4);
    if (quarter === lastQuarter) return;
    lastQuarter = quarter;
    stream.write(`${label}: ${quarter * 25}% (${counts})\n`);
  };
}
