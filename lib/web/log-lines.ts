// The lines a log view shows, kept idempotent per line: the first fetch, the
// polls and the event stream may deliver the same line in any order and any
// number of times (and React's development double effects replay them), yet
// each line id is shown once, in id order.

export type LogLine = { id: number; at: number; line: string };
export type ShownLines = { lines: LogLine[]; dropped: number };

export const noLines: ShownLines = { lines: [], dropped: 0 };

/**
 * `shown` with the lines of `fresh` it does not hold yet, sorted by id; past
 * `keep` lines the oldest are let go and counted in `dropped`. Returns `shown`
 * itself when nothing is new, so that React skips the render.
 */
export function mergeLines(shown: ShownLines, fresh: readonly LogLine[], keep: number): ShownLines {
  if (!fresh.length) return shown;
  const have = new Set(shown.lines.map((l) => l.id));
  const oldestKept = shown.lines.length ? shown.lines[0].id : -Infinity;
  const added: LogLine[] = [];
  for (const l of fresh) {
    // A line older than the oldest kept was shown and let go (or is the very first page): not again.
    if (have.has(l.id) || (shown.dropped > 0 && l.id < oldestKept)) continue;
    have.add(l.id);
    added.push(l);
  }
  if (!added.length) return shown;
  // Mostly in order already, so the sort is a linear pass (TimSort).
  const lines = shown.lines.concat(added).sort((a, b) => a.id - b.id);
  if (lines.length <= keep) return { lines, dropped: shown.dropped };
  return { lines: lines.slice(lines.length - keep), dropped: shown.dropped + lines.length - keep };
}
