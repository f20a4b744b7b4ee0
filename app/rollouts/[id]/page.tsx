import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { database } from "@/lib/kettle/store/db";
import { getRollout } from "@/lib/kettle/operations";
import { KettleError } from "@/lib/kettle/errors";
import { settings } from "@/lib/kettle/settings";
import { RolloutPage } from "@/components/rollout-page";

export const dynamic = "force-dynamic";

async function load(id: string) {
  const db = await database();
  return getRollout(db, id).catch((e) => {
    if (e instanceof KettleError && e.kind === "not_found") notFound();
    throw e;
  });
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  return { title: id === "latest" ? "Latest rollout" : `Rollout ${id}` };
}

export default async function Rollout({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const view = await load(id);
  const s = settings();
  return <RolloutPage initial={view} checklist={s.checklistUrl ? { url: s.checklistUrl, height: s.checklistHeight } : null} />;
}
