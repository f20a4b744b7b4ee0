// A log view shows each line once by id, whatever order and how often the
// first fetch, the polls and the stream deliver it.
import { describe, expect, it } from "vitest";
import { mergeLines, noLines, type LogLine } from "@/lib/web/log-lines";

const line = (id: number): LogLine => ({ id, at: 1_800_000_000_000 + id, line: `line ${id}` });
const ids = (s: { lines: LogLine[] }) => s.lines.map((l) => l.id);

describe("mergeLines", () => {
  it("the stream pushes lines 1-3, then the first fetch (sent before) answers 1-3: shown once", () => {
    const streamed = mergeLines(noLines, [1, 2, 3].map(line), 100);
    const fetched = mergeLines(streamed, [1, 2, 3].map(line), 100);
    expect(ids(fetched)).toEqual([1, 2, 3]);
    expect(fetched).toBe(streamed); // nothing new: the same object, no render
  });

  it("overlapping and out-of-order deliveries end up in id order, each once", () => {
    let s = mergeLines(noLines, [2, 3].map(line), 100);
    s = mergeLines(s, [1, 2, 3, 4].map(line), 100);
    s = mergeLines(s, [4, 5].map(line), 100);
    s = mergeLines(s, [5].map(line), 100);
    expect(ids(s)).toEqual([1, 2, 3, 4, 5]);
    expect(s.dropped).toBe(0);
  });

  it("the same delivery applied twice (React's development double effects) changes nothing the second time", () => {
    const once = mergeLines(noLines, [1, 2].map(line), 100);
    expect(mergeLines(once, [1, 2].map(line), 100)).toBe(once);
  });

  it("past `keep` lines the oldest are counted, not shown, and never come back", () => {
    let s = mergeLines(noLines, [1, 2, 3, 4].map(line), 3);
    expect(ids(s)).toEqual([2, 3, 4]);
    expect(s.dropped).toBe(1);
    s = mergeLines(s, [1, 2, 3, 4, 5].map(line), 3);
    expect(ids(s)).toEqual([3, 4, 5]);
    expect(s.dropped).toBe(2);
  });
});
