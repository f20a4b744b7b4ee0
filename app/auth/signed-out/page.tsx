import { settings } from "@/lib/kettle/settings";
import type { Metadata } from "next";
import { ui } from "@/lib/web/ui";

export const metadata: Metadata = { title: "Signed out" };

export const dynamic = "force-dynamic";

export default function SignedOut() {
  return (
    <div className={`${ui.card} mx-auto max-w-xl space-y-3 p-8 text-center`}>
      <h1 className={ui.h1}>Signed out</h1>
      <p className={ui.muted}>Your Kettle session has ended.</p>
      <p>
        {/* a route handler, not a page: a plain link */}
        <a href={`${settings().basePath}/auth/sign-in`} className={ui.link} data-testid="sign-in-again">
          Sign in again
        </a>
      </p>
    </div>
  );
}
