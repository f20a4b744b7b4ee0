import Link from "next/link";
import type { Metadata } from "next";
import { loadRollout } from "@/lib/web/pages";
import { resolveRolloutClass } from "@/lib/kettle/modules/registry";
import { describeRolloutKind } from "@/lib/web/config-form";
import { ConfigForm } from "@/components/forms/config-form";
import { StatusBadge } from "@/components/status-badge";
import { ui } from "@/lib/web/ui";
import { RolloutsWatcher } from "@/components/forms/rollouts-watcher";
import { settings } from "@/lib/kettle/settings";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Edit rollout ${(await params).id}` };
}

export default async function EditRollout({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Development: the page refreshes itself when rollouts/ changes.
  const watch = settings().production ? null : <RolloutsWatcher />;
  const view = await loadRollout(id);
  const kind = await resolveRolloutClass(view.kind);
  return (
    <div className="mx-auto max-w-3xl space-y-5">
        {watch}
      <div>
        <p className="text-sm">
          <Link href={`/rollouts/${view.id}`} className={ui.link}>
            ← Rollout #{view.id}
          </Link>
        </p>
        <h1 className={`${ui.h1} mt-2`}>Edit rollout #{view.id}</h1>
        <p className={`mt-1 ${ui.muted}`}>{kind.title}. Finalise again replaces its tasks with a fresh plan.</p>
      </div>
      {view.canEdit ? (
        <ConfigForm kind={view.kind} kindTitle={kind.title} fields={describeRolloutKind(kind)} config={view.config} editId={view.id} />
      ) : (
        <div role="alert" className={`${ui.card} flex flex-wrap items-center gap-3 p-5 text-sm`}>
          <StatusBadge status={view.status} />
          <span>This rollout has already started, so it can no longer be edited.</span>
          <Link href={`/rollouts/${view.id}`} className={ui.link}>
            Back to it
          </Link>
        </div>
      )}
    </div>
  );
}
