import "./globals.css";
import type { ReactNode } from "react";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { settings } from "@/lib/kettle/settings";
import { isIdentified, meOf, type Me } from "@/lib/auth/identity";
import { currentIdentity, currentPath } from "@/lib/web/me";
import { AppProvider } from "@/components/app-context";
import { Nav } from "@/components/nav";
import { ui } from "@/lib/web/ui";

export const metadata: Metadata = { title: { default: "Kettle", template: "%s · Kettle" }, description: "Reversible rollouts" };
export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#4338ca" },
    { media: "(prefers-color-scheme: dark)", color: "#1e1b4b" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const path = await currentPath();
  const who = await currentIdentity();
  const s = settings();
  const me = isIdentified(who) ? meOf(who) : null;
  const authPage = path.startsWith("/auth/");
  // Pages need a session: off to the provider, and back here after.
  if (!me && s.auth.mode === "oidc" && !authPage) redirect(`/auth/sign-in?${new URLSearchParams({ next: path })}`);
  let content = children;
  if (!authPage && !me) content = <Refused title="Not signed in" reason={"reason" in who ? who.reason : ""} />;
  else if (!authPage && me && !me.role) content = <Refused title="No access" reason={`You are signed in as ${me.user}, but Kettle gives you no role. Ask an admin to add you (or one of your groups) to KETTLE_VIEWERS.`} />;
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-semibold focus:text-indigo-700 focus:shadow"
        >
          Skip to content
        </a>
        <header className="bg-indigo-700 shadow dark:bg-indigo-950 dark:shadow-none dark:ring-1 dark:ring-indigo-900">
          <nav aria-label="Main" className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2.5 sm:px-6">
            <Link href="/" className="flex items-center gap-2 rounded-md text-lg font-bold tracking-tight text-white">
              <KettleIcon />
              Kettle
            </Link>
            <Nav me={me} />
            <UserBox me={me} />
          </nav>
        </header>
        <AppProvider basePath={s.basePath} me={me}>
          <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
            {content}
          </main>
          {me?.role && (
            <footer className="mx-auto flex max-w-7xl flex-wrap gap-x-4 gap-y-1 px-4 pb-6 text-xs text-slate-500 sm:px-6 dark:text-slate-400">
              <Link href="/api" className="hover:underline">
                API
              </Link>
              <a href={`${s.basePath}/api/openapi.json`} className="hover:underline">
                OpenAPI
              </a>
              <span>
                CLI: <code className="font-mono">npx kettle --help</code>
              </span>
            </footer>
          )}
        </AppProvider>
      </body>
    </html>
  );
}

const roleBadge: Record<string, string> = {
  admin: "bg-amber-300 text-amber-950",
  operator: "bg-emerald-300 text-emerald-950",
  viewer: "bg-white/20 text-white",
};

function UserBox({ me }: { me: Me | null }) {
  if (me?.mode === "none") {
    return (
      <p className="ml-auto flex items-center gap-2 text-sm text-indigo-100" data-testid="no-sign-in">
        <span className="rounded-full bg-amber-300 px-2 py-0.5 text-xs font-semibold text-amber-950">No sign-in</span>
        <span className="hidden sm:inline">everyone is an admin here (KETTLE_AUTH=none)</span>
      </p>
    );
  }
  if (!me) return null;
  return (
    <div className="ml-auto flex items-center gap-3 text-sm text-indigo-100">
      <p className="flex items-center gap-2" data-testid="current-user">
        <span aria-hidden="true" className="grid h-6 w-6 place-items-center rounded-full bg-white/15 text-xs font-semibold uppercase text-white">
          {(me.user ?? "?").slice(0, 1)}
        </span>
        <span>
          <span className="sr-only">Signed in as </span>
          {me.user}
        </span>
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${me.role ? roleBadge[me.role] : "bg-rose-300 text-rose-950"}`} data-testid="current-role">
          <span className="sr-only">Role: </span>
          {me.role ?? "no role"}
        </span>
      </p>
      {me.mode === "oidc" && me.via === "session" && (
        <form method="post" action={`${settings().basePath}/auth/sign-out`}>
          <button type="submit" className="rounded-md px-2 py-1 text-sm font-medium text-indigo-100 ring-1 ring-inset ring-white/30 hover:bg-white/10 hover:text-white">
            Sign out
          </button>
        </form>
      )}
    </div>
  );
}

function Refused({ title, reason }: { title: string; reason: string }) {
  return (
    <div className={`${ui.card} mx-auto max-w-xl space-y-2 p-8 text-center`} data-testid="refused-page">
      <h1 className={ui.h1}>{title}</h1>
      <p className={ui.muted}>{reason}</p>
    </div>
  );
}

function KettleIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
      <path d="M6 10h11l1 8a2 2 0 0 1-2 2H7a2 2 0 0 1-2-2l1-8Z" />
      <path d="M17 12.5c2 0 3.5-1 3.5-3S19 7 17.5 8" />
      <path d="M8 10V8.5A3.5 3.5 0 0 1 11.5 5v0A3.5 3.5 0 0 1 15 8.5V10" />
      <path d="M9 2.5c.5.6.5 1.4 0 2M12 1.8c.5.6.5 1.4 0 2" />
    </svg>
  );
}
