import Link from "next/link";
import { database, freezeBanner, listRollouts } from "@/lib/kettle/operations";
import { FreezeBanner } from "@/components/freeze-banner";
import { kindTitles } from "@/lib/web/kinds";
import { StatusBadge } from "@/components/status-badge";
import { Ago } from "@/components/app-context";
import { RolloutList } from "@/components/lists/rollout-list";
import { ui } from "@/lib/web/ui";
import { InFlightList } from "@/components/lists/in-flight";
import { findRollouts, inFlight } from "@/lib/kettle/read/overview";
import { activeStatuses, rolloutStatuses } from "@/lib/kettle/status";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

export default async function Home() {
  const db = await database();
  const recent = await listRollouts(db, { perPage: 6 });
  const latest = recent.rollouts[0] ?? null;
  const [flying, finished] = await Promise.all([
    inFlight(db),
    findRollouts(db, { status: rolloutStatuses.filter((s) => !activeStatuses.includes(s)) }, { perPage: 6 }),
  ]);
  const titles = await kindTitles([...recent.rollouts, ...finished.rollouts].map((r) => r.kind));
  const frozen = await freezeBanner(db);
  return (
    <div className="space-y-8">
      <div>
        <h1 className={ui.h1}>Kettle</h1>
        <p className={`mt-1 ${ui.muted}`}>Prepare, run and watch reversible rollouts.</p>
      </div>
      <FreezeBanner items={frozen} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Link
          href="/rollouts/new"
          className="group flex flex-col justify-between rounded-xl bg-indigo-600 p-5 text-white shadow-sm transition hover:bg-indigo-700"
        >
          <span className="text-lg font-semibold">New</span>
          <span className="mt-2 text-sm text-indigo-50">Configure a rollout, finalise its plan, then run it.</span>
        </Link>
        <section aria-labelledby="latest-heading" className={`${ui.card} p-5`}>
          <h2 id="latest-heading" className="text-lg font-semibold">
            {latest ? (
              <Link href="/rollouts/latest" className="hover:text-indigo-700 hover:underline dark:hover:text-indigo-300">
                Latest
              </Link>
            ) : (
              "Latest"
            )}
          </h2>
          {latest ? (
            <div className="mt-2 space-y-2 text-sm" data-testid="latest">
              <p className="flex flex-wrap items-center gap-2">
                <Link href={`/rollouts/${latest.id}`} className={ui.link}>
                  #{latest.id} {titles[latest.kind]}
                </Link>
              </p>
              <p className="flex flex-wrap items-center gap-2">
                <StatusBadge status={latest.status} />
                <span className={ui.muted}>
                  {latest.runBy ? "run by " : latest.user ? "by " : ""}
                  {latest.user ?? "anonymous"} · <Ago at={latest.rolloutStartedAt ?? latest.createdAt} />
                </span>
              </p>
            </div>
          ) : (
            <p className={`mt-2 text-sm ${ui.muted}`}>No rollouts yet.</p>
          )}
        </section>
        <Link href="/rollouts" className={`${ui.card} group p-5 transition hover:border-indigo-300 dark:hover:border-indigo-700`}>
          <span className="text-lg font-semibold group-hover:text-indigo-700 dark:group-hover:text-indigo-300">All</span>
          <span className={`mt-2 block text-sm ${ui.muted}`}>
            {recent.total} rollout{recent.total === 1 ? "" : "s"}, newest first.
          </span>
        </Link>
      </div>
      <InFlightList initial={flying} refreshMs={settings().refreshTimeout} />
      {finished.rollouts.length > 0 && (
        <section aria-labelledby="recent-heading" className="space-y-3">
          <h2 id="recent-heading" className={ui.h2}>
            Recent, not in progress
          </h2>
          <RolloutList rollouts={finished.rollouts} titles={titles} label="Recent rollouts" />
        </section>
      )}
    </div>
  );
}
