import type { Metadata } from "next";
import { openApiDocument } from "@/lib/web/openapi";
import { settings } from "@/lib/kettle/settings";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API" };

type Json = Record<string, any>;

const methodClass: Record<string, string> = {
  get: "bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100",
  post: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100",
  put: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
  delete: "bg-rose-100 text-rose-900 dark:bg-rose-900/60 dark:text-rose-100",
};

function SchemaBlock({ schema }: { schema: unknown }) {
  return <pre className="max-h-80 overflow-auto rounded-lg bg-slate-100 p-3 font-mono text-xs dark:bg-slate-950">{JSON.stringify(schema, null, 2)}</pre>;
}

/** The OpenAPI document for people: every route, who may call it, what it takes and answers. */
export default async function ApiPage() {
  const doc = (await openApiDocument()) as Json;
  const base = settings().basePath;
  const schemas = doc.components.schemas as Json;
  return (
    <div className="mx-auto max-w-5xl space-y-6">
      <div>
        <h1 className={ui.h1}>{doc.info.title}</h1>
        <p className={`mt-1 text-sm ${ui.muted}`}>
          {doc.info.description} The machine-readable document:{" "}
          <a className={ui.link} href={`${base}/api/openapi.json`}>
            /api/openapi.json
          </a>{" "}
          (OpenAPI {doc.openapi}). From a terminal: <code className="font-mono text-xs">npx kettle --help</code>.
        </p>
      </div>
      {Object.entries(doc.paths as Json).map(([path, ops]) => (
        <section key={path} className={`${ui.card} divide-y divide-slate-100 dark:divide-slate-800`} aria-label={path}>
          {Object.entries(ops as Json).map(([method, op]) => (
            <details key={method} className="group p-4" data-route={`${method.toUpperCase()} ${path}`}>
              <summary className="flex cursor-pointer flex-wrap items-center gap-3">
                <span className={`w-16 rounded px-2 py-0.5 text-center font-mono text-xs font-bold uppercase ${methodClass[method] ?? ""}`}>{method}</span>
                <code className="font-mono text-sm">{path}</code>
                <span className={`text-sm ${ui.muted}`}>{op.summary}</span>
                {op["x-kettle-role"] && <span className="ml-auto rounded-full bg-slate-100 px-2 py-0.5 text-xs dark:bg-slate-800">{op["x-kettle-role"]}</span>}
              </summary>
              <div className="mt-3 space-y-3 text-sm">
                <p className={ui.muted}>{op.description}</p>
                {op.parameters?.length ? (
                  <ul className="list-inside list-disc">
                    {op.parameters.map((p: Json) => (
                      <li key={`${p.in}:${p.name}`}>
                        <code className="font-mono text-xs">{p.name}</code> <span className={ui.muted}>({p.in})</span>
                        {p.description ? `: ${p.description}` : ""}
                        {p.schema?.enum ? ` — one of ${p.schema.enum.join(", ")}` : ""}
                      </li>
                    ))}
                  </ul>
                ) : null}
                {op.requestBody && (
                  <div>
                    <h3 className="mb-1 font-medium">Body</h3>
                    <SchemaBlock schema={op.requestBody.content["application/json"].schema} />
                  </div>
                )}
                <div>
                  <h3 className="mb-1 font-medium">Answers</h3>
                  <ul className="list-inside list-disc">
                    {Object.entries(op.responses as Json).map(([code, r]) => (
                      <li key={code}>
                        <span className="font-mono text-xs">{code}</span> {r.description}
                      </li>
                    ))}
                  </ul>
                </div>
              </div>
            </details>
          ))}
        </section>
      ))}
      <section className={`${ui.card} p-4`} aria-label="Schemas">
        <h2 className={ui.h2}>Schemas</h2>
        <p className={`text-sm ${ui.muted}`}>The rollout kinds&apos; configs (Config.…) come from each class&apos;s configSchema.</p>
        {Object.entries(schemas).map(([name, s]) => (
          <details key={name} className="mt-2">
            <summary className="cursor-pointer font-mono text-sm">{name}</summary>
            <SchemaBlock schema={s} />
          </details>
        ))}
      </section>
    </div>
  );
}
