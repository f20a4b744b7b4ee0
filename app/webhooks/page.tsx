import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { database } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { webhooks, webhookEvents } from "@/lib/kettle/outbound/webhooks";
import { refusal } from "@/lib/auth/roles";
import { isIdentified } from "@/lib/auth/identity";
import { currentIdentity } from "@/lib/web/me";
import { WebhooksPanel } from "@/components/admin/webhooks-panel";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Webhooks" };

export default async function Webhooks() {
  const who = await currentIdentity();
  if (!isIdentified(who)) redirect("/");
  const refused = refusal(who.role, "webhook_read", settings().auth);
  return (
    <div className="mx-auto max-w-5xl space-y-5">
      <div>
        <h1 className={ui.h1}>Webhooks</h1>
        <p className={`mt-1 text-sm ${ui.muted}`}>
          Kettle POSTs an event to each subscription when a rollout starts, pauses, finishes or rolls back, when a task fails, and when an approval is asked for.
          Requests are signed per <a className={ui.link} href="https://www.standardwebhooks.com/">Standard Webhooks</a> (<code className="font-mono text-xs">webhook-id</code>,{" "}
          <code className="font-mono text-xs">webhook-timestamp</code>, <code className="font-mono text-xs">webhook-signature</code>) and retried with backoff for up to 24 hours.
        </p>
      </div>
      {refused ? (
        <p className={`${ui.card} p-6 text-sm ${ui.muted}`} data-testid="refused">
          {refused}.
        </p>
      ) : (
        <WebhooksPanel initial={await webhooks(await database())} events={[...webhookEvents]} />
      )}
    </div>
  );
}
