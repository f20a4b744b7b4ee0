// The one rule for text people write into Kettle (token names, lock reasons,
// comments, webhook URLs and descriptions): it is stored and read back whole,
// or refused with a 400 that says why; never silently changed. So refused are
// control characters, except tab and line breaks (a TEXT column hands a string
// back cut at its first NUL; the others have no business in a record either),
// and text that is not valid Unicode (a lone surrogate, which JSON can carry as
// "\ud800", would be stored as U+FFFD).
import { z } from "zod";
import { badInput } from "./errors";

const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
export const WITHOUT_CONTROL_CHARACTERS = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const controlCharacterMessage = (field: string) => `${field}: control characters (such as NUL) are not allowed; tabs and line breaks are`;
export const loneSurrogateMessage = (field: string) => `${field}: not valid Unicode text (it has a lone surrogate)`;

const codePoint = (m: RegExpExecArray) => `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at character ${m.index + 1}`;

/** The first control character in `text`, as U+XXXX with its position, or null. */
export function controlCharacterIn(text: string): string | null {
  const m = CONTROL_CHARACTER.exec(text);
  return m ? codePoint(m) : null;
}

/** The first lone surrogate in `text`, as U+XXXX with its position, or null. */
export function loneSurrogateIn(text: string): string | null {
  const m = LONE_SURROGATE.exec(text);
  return m ? codePoint(m) : null;
}

/** Refuses (400) text that breaks the rule, saying which character and where. */
export function refuseBadText(field: string, text: string): void {
  const control = controlCharacterIn(text);
  if (control) throw badInput(`${controlCharacterMessage(field)} (found ${control})`, { [field]: [controlCharacterMessage(field)] });
  const surrogate = loneSurrogateIn(text);
  if (surrogate) throw badInput(`${loneSurrogateMessage(field)} (found ${surrogate})`, { [field]: [loneSurrogateMessage(field)] });
}

/** A zod string under the rule (the control characters also in the OpenAPI document, as a pattern). */
export const plainText = (field: string, notAString?: string) =>
  z
    .string(notAString ? { error: notAString } : undefined)
    .regex(WITHOUT_CONTROL_CHARACTERS, controlCharacterMessage(field))
    .refine((s) => !LONE_SURROGATE.test(s), loneSurrogateMessage(field));

/** The rule's lone-surrogate half, for a string schema that is not plainText (a URL). */
export const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

/** The longest comment a decision takes. */
export const MAX_COMMENT = 1000;

export function checkComment(comment: unknown): string | null {
  if (comment === undefined || comment === null || comment === "") return null;
  if (typeof comment !== "string") throw badInput("comment must be a string");
  if (comment.length > MAX_COMMENT) throw badInput(`comment is too long: at most ${MAX_COMMENT} characters (got ${comment.length})`);
  refuseBadText("comment", comment);
  return comment;
}
