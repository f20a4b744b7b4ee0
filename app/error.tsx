"use client";
// Server errors: a plain message; the details only in development (in
// production Next.js replaces the message with a digest that the server's log shows).
import Link from "next/link";
import { ui } from "@/lib/web/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const dev = process.env.NODE_ENV !== "production";
  return (
    <div role="alert" className={`${ui.card} mx-auto max-w-xl p-8 text-center`}>
      <h1 className={ui.h1}>Something went wrong</h1>
      <p className={`mt-2 ${ui.muted}`}>The server could not show this page. Try again; if it keeps happening, the server’s log says why.</p>
      {error.digest && <p className={`mt-2 font-mono text-xs ${ui.muted}`}>Reference: {error.digest}</p>}
      {dev && (
        <pre className="mt-4 max-h-64 overflow-auto rounded bg-slate-100 p-3 text-left font-mono text-xs dark:bg-slate-800">{error.stack ?? error.message}</pre>
      )}
      <div className="mt-6 flex justify-center gap-3">
        <button type="button" onClick={reset} className={ui.btnPrimary}>
          Try again
        </button>
        <Link href="/" className={ui.btnSecondary}>
          Home
        </Link>
      </div>
    </div>
  );
}
