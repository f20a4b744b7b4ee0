import Link from "next/link";
import type { Metadata } from "next";
import { rolloutKinds, database, freezeBanner, freezeStates, when } from "@/lib/kettle/operations";
import { FreezeBanner } from "@/components/freeze-banner";
import type { RolloutKind } from "@/lib/kettle/modules/registry";
import { describeRolloutKind } from "@/lib/web/config-form";
import { ConfigForm } from "@/components/forms/config-form";
import { ui } from "@/lib/web/ui";
import { lockOf } from "@/lib/auth/locks";
import { KindLockPanel } from "@/components/admin/kind-lock";
import { RolloutsWatcher } from "@/components/forms/rollouts-watcher";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "New rollout" };

export default async function NewRollout({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  // Development: the page refreshes itself when rollouts/ changes.
  const watch = settings().production ? null : <RolloutsWatcher />;
  let kinds: RolloutKind[];
  try {
    kinds = await rolloutKinds();
  } catch (e) {
    // A module in rollouts/ that does not load (a syntax error, a missing export): say which and where.
    return (
      <div className="mx-auto max-w-3xl space-y-5">
        {watch}
        <h1 className={ui.h1}>New rollout</h1>
        <div role="alert" className="rounded-lg border border-rose-300 bg-rose-50 p-4 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950/60 dark:text-rose-200">
          <p className="font-semibold">The rollout classes could not be loaded.</p>
          <pre className="mt-2 overflow-auto whitespace-pre-wrap font-mono text-xs" data-testid="form-error">
            {e instanceof Error ? e.message : String(e)}
          </pre>
          <p className="mt-2 text-xs">Fix the file and reload this page{process.env.NODE_ENV === "production" ? " (after `npm run build` and a restart)" : ""}.</p>
        </div>
      </div>
    );
  }
  const asked = typeof q.kind === "string" ? q.kind : null;
  const chosen = kinds.length === 1 ? kinds[0] : kinds.find((k) => k.kind === asked);

  if (!chosen) {
    const states = await freezeStates(await database(), kinds.map((k) => k.kind));
    return (
      <div className="mx-auto max-w-3xl space-y-5">
        {watch}
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
                {states[k.kind]?.frozen && (
                  <span className="text-xs font-medium text-sky-800 dark:text-sky-200" data-testid="kind-frozen">
                    ❄ Frozen by {states[k.kind].frozen!.name} until {when(states[k.kind].frozen!.until, states[k.kind].frozen!.timeZone)}: runs are refused
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-3xl space-y-5">
        {watch}
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
      <FreezeBanner items={await freezeBanner(await database(), chosen.kind)} />
      <KindLockPanel kind={chosen.kind} lock={await lockOf(await database(), chosen.kind)} />
      <ConfigForm kind={chosen.kind} kindTitle={chosen.title} fields={describeRolloutKind(chosen)} />
    </div>
  );
}
