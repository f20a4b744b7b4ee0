// How deeply a JSON text nests, found by a scan (no recursion, no parse), so
// that a body nested thousands of levels deep is refused before anything
// recursive (JSON.stringify, a schema check) meets it and overflows the stack.

/** The most levels of arrays and objects a request body may nest. */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting in `text`, counting only brackets outside strings; stops counting past `stopAt`. */
export function jsonDepth(text: string, stopAt = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > stopAt) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
