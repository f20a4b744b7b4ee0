// The one rule for text people write into Kettle (token names, lock reasons,
// comments, webhook descriptions and URLs): control characters are refused,
// except tab and line breaks. TEXT columns hand a string back cut at its first
// NUL, and a record that silently loses part of what was written is worse than
// a refusal; the other control characters have no business in a record either.
import { z } from "zod";
import { badInput } from "./errors";

const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
export const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

export const controlCharacterMessage = (field: string) => `${field}: control characters (such as NUL) are not allowed; tabs and line breaks are`;

/** The first control character in `text`, as U+XXXX with its position, or null. */
export function controlCharacterIn(text: string): string | null {
  const m = CONTROL_CHARACTER.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at character ${m.index + 1}` : null;
}

/** Refuses (400) text with a control character in it, saying which and where. */
export function refuseControlCharacters(field: string, text: string): void {
  const found = controlCharacterIn(text);
  if (found) throw badInput(`${controlCharacterMessage(field)} (found ${found})`, { [field]: [controlCharacterMessage(field)] });
}

/** A zod string under the rule (also in the OpenAPI document, as a pattern). */
export const plainText = (field: string, notAString?: string) => z.string(notAString ? { error: notAString } : undefined).regex(WITHOUT_CONTROL_CHARACTERS, controlCharacterMessage(field));
