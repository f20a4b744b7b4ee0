import type { Metadata } from "next";
import { loadRollout } from "@/lib/web/pages";
import { settings } from "@/lib/kettle/settings";
import { RolloutPage } from "@/components/rollout/rollout-page";
import { liveView } from "@/lib/kettle/operations";

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
  return <RolloutPage initial={liveView(view)} checklist={s.checklistUrl ? { url: s.checklistUrl, height: s.checklistHeight } : null} />;
}
