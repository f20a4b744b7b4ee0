// Checks a real answer of the API against the response schema the OpenAPI
// document gives for its operation and status (JSON Schema 2020-12, by ajv).
import Ajv2020 from "ajv/dist/2020";

type Json = Record<string, any>;

/** A checker for `doc`: the schema errors of an answer (empty when it fits), or a reason it cannot be checked. */
export function answerChecker(doc: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ ...doc, $id: "openapi" }, "openapi");
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  /** The path template of the operation serving `pathname` (static segments before parameters). */
  const templateOf = (pathname: string): string | null => {
    const segments = pathname.split("?")[0].split("/");
    const fits = Object.keys(doc.paths).filter((t) => {
      const parts = t.split("/");
      return parts.length === segments.length && parts.every((p, i) => p.startsWith("{") || p === segments[i]);
    });
    const rank = (t: string) => t.split("/").map((p) => (p.startsWith("{") ? "1" : "0")).join("");
    fits.sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
    return fits[0] ?? null;
  };
  return (method: string, pathname: string, status: number, body: unknown): string[] => {
    const template = templateOf(pathname);
    const op = template && doc.paths[template][method.toLowerCase()];
    if (!op) return [`no operation ${method} ${pathname} in the document`];
    const response = op.responses[String(status)];
    if (!response) return [`${method} ${template}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(", ")})`];
    const key = `${method} ${template} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      const pointer = `#/paths/${template.replace(/~/g, "~0").replace(/\//g, "~1")}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
      validate = ajv.compile({ $ref: `openapi${pointer}` });
      compiled.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || "/"} ${e.message}`);
  };
}
