import type { Metadata } from "next";
import { loadRollout } from "@/lib/web/pages";
import { settings } from "@/lib/kettle/settings";
import { RolloutPage } from "@/components/rollout/rollout-page";
import { database, freezeBanner, liveView } from "@/lib/kettle/operations";
import { FreezeBanner } from "@/components/freeze-banner";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: id === "latest" ? "Latest rollout" : `Rollout ${id}` };
}

export default async function Rollout({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // A big tree comes as a summary whose groups open page by page.
  const view = await loadRollout(id, "auto");
  const s = settings();
  const frozen = await freezeBanner(await database(), view.kind);
  return (
    <>
      <div className={frozen.length ? "mb-4" : undefined}>
        <FreezeBanner items={frozen} />
      </div>
      <RolloutPage initial={liveView(view)} checklist={s.checklistUrl ? { url: s.checklistUrl, height: s.checklistHeight } : null} />
    </>
  );
}
