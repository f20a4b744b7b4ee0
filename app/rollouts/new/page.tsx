import Link from "next/link";
import type { Metadata } from "next";
import { rolloutKinds } from "@/lib/kettle/operations";
import { describeRolloutClass } from "@/lib/kettle/config-form";
import { ConfigForm } from "@/components/config-form";
import { ui } from "@/lib/web/ui";
import { database } from "@/lib/kettle/store/db";
import { lockOf } from "@/lib/auth/locks";
import { KindLockPanel } from "@/components/kind-lock";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New rollout" };

export default async function NewRollout({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const kinds = await rolloutKinds();
  const asked = typeof q.kind === "string" ? q.kind : null;
  const chosen = kinds.length === 1 ? kinds[0] : kinds.find((k) => k.kind === asked);

  if (!chosen) {
    return (
      <div className="mx-auto max-w-3xl space-y-5">
        <div>
          <h1 className={ui.h1}>New rollout</h1>
          <p className={`mt-1 ${ui.muted}`}>Which kind of rollout?</p>
        </div>
        {asked && (
          <p role="alert" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
            This deployment does not offer “{asked}”. Pick one of these.
          </p>
        )}
        <ul aria-label="Rollout kinds" className="grid gap-3 sm:grid-cols-2">
          {kinds.map((k) => (
            <li key={k.kind}>
              <Link
                href={`/rollouts/new?${new URLSearchParams({ kind: k.kind })}`}
                className={`${ui.card} group flex h-full flex-col gap-1 p-5 transition hover:border-indigo-400 hover:shadow dark:hover:border-indigo-600`}
              >
                <span className="font-semibold group-hover:text-indigo-700 dark:group-hover:text-indigo-300" data-testid="kind-option-title">
                  {k.title}
                </span>
                <span className={`font-mono text-xs ${ui.muted}`}>{k.kind}</span>
              </Link>
            </li>
          ))}
        </ul>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-3xl space-y-5">
      <div>
        <h1 className={ui.h1}>New rollout</h1>
        <p className={`mt-1 flex flex-wrap items-center gap-x-2 ${ui.muted}`}>
          <span>
            <span className="sr-only">Kind: </span>
            <span className="font-medium text-slate-700 dark:text-slate-200" data-testid="kind-title">
              {chosen.title}
            </span>
          </span>
          {kinds.length > 1 && (
            <Link href="/rollouts/new" className={`${ui.link} text-sm`}>
              Choose another kind
            </Link>
          )}
        </p>
      </div>
      <KindLockPanel kind={chosen.kind} lock={await lockOf(await database(), chosen.kind)} />
      <ConfigForm kind={chosen.kind} kindTitle={chosen.title} fields={describeRolloutClass(chosen.cls)} />
    </div>
  );
}
