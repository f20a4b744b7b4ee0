import "./globals.css";
import type { ReactNode } from "react";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { settings } from "@/lib/kettle/settings";
import { userOf } from "@/lib/web/http";
import { AppProvider } from "@/components/app-context";
import { Nav } from "@/components/nav";

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
  const user = userOf(await headers());
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
            <Nav />
            {user && (
              <p className="ml-auto flex items-center gap-2 text-sm text-indigo-100" data-testid="current-user">
                <span aria-hidden="true" className="grid h-6 w-6 place-items-center rounded-full bg-white/15 text-xs font-semibold uppercase text-white">
                  {user.slice(0, 1)}
                </span>
                <span>
                  <span className="sr-only">Signed in as </span>
                  {user}
                </span>
              </p>
            )}
          </nav>
        </header>
        <AppProvider basePath={settings().basePath}>
          <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 sm:py-8">
            {children}
          </main>
        </AppProvider>
      </body>
    </html>
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
