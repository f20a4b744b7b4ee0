import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { database } from "@/lib/kettle/operations";
import { settings } from "@/lib/kettle/settings";
import { tokensFor } from "@/lib/auth/tokens";
import { allowed } from "@/lib/auth/roles";
import { isIdentified } from "@/lib/auth/identity";
import { currentIdentity } from "@/lib/web/me";
import { TokensPanel } from "@/components/admin/tokens-panel";
import { ui } from "@/lib/web/ui";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "API tokens" };

export default async function Tokens() {
  const who = await currentIdentity();
  if (!isIdentified(who)) redirect("/");
  const s = settings();
  const admin = allowed(who.role, "token_list_all", s.auth);
  const tokens = s.auth.mode === "none" ? [] : await tokensFor(await database(), who, admin);
  return (
    <div className="mx-auto max-w-4xl space-y-5">
      <div>
        <h1 className={ui.h1}>API tokens</h1>
        <p className={`mt-1 text-sm ${ui.muted}`}>
          For pipelines and scripts: send <code className="font-mono text-xs">Authorization: Bearer kettle_…</code> with each API call. A token has at most your role and
          expires after at most a year. {admin ? "As an admin you see everyone’s tokens and may revoke any." : "You see your own tokens."}
        </p>
      </div>
      {s.auth.mode === "none" ? (
        <p className={`${ui.card} p-6 text-sm ${ui.muted}`}>There is no sign-in here (KETTLE_AUTH=none), so tokens are not needed: every request may do anything.</p>
      ) : (
        <TokensPanel initial={tokens} role={who.role} showOwner={admin} me={who.user} />
      )}
    </div>
  );
}
