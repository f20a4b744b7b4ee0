import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { database, freezes } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { refusal } from "@/lib/auth/roles";
import { isIdentified } from "@/lib/auth/identity";
import { currentIdentity } from "@/lib/web/me";
import { FreezesPanel } from "@/components/admin/freezes-panel";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Freeze windows" };

export default async function Freezes() {
  const who = await currentIdentity();
  if (!isIdentified(who)) redirect("/");
  const s = settings();
  return (
    <div className="mx-auto max-w-5xl space-y-5">
      <div>
        <h1 className={ui.h1}>Freeze windows</h1>
        <p className={`mt-1 text-sm ${ui.muted}`}>
          While a deny window is on, runs of its kinds are refused and running rollouts pause before their next task, resuming by themselves when it ends. Allow windows, where a kind has any, are the only times it may run. A deny window wins.
        </p>
      </div>
      <FreezesPanel freezes={await freezes(await database())} kinds={s.rolloutClasses} canEdit={!refusal(who.role, "freeze_create", s.auth)} />
    </div>
  );
}
