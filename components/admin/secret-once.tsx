"use client";
// A secret just made (an API token, a webhook's signing secret): shown this
// once, with a way to copy it. Kettle keeps only its hash or a sealed copy.
import { useState, type ReactNode } from "react";
import { ui } from "@/lib/web/ui";

export function SecretOnce({ children, secret, testId }: { children: ReactNode; secret: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="space-y-2 rounded-lg border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950 dark:border-emerald-800 dark:bg-emerald-950/60 dark:text-emerald-100" data-testid={testId}>
      <p>{children}</p>
      <div className="flex flex-wrap items-center gap-2">
        <code className="break-all rounded bg-white px-2 py-1 font-mono text-xs text-slate-900 ring-1 ring-emerald-300 dark:bg-slate-950 dark:text-slate-100 dark:ring-emerald-800" data-testid={`${testId}-secret`}>
          {secret}
        </code>
        <button type="button" className={ui.btnSmall} onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => setCopied(false))}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
