import Link from "next/link";
import { ui } from "@/lib/web/ui";

export default function RolloutNotFound() {
  return (
    <div className={`${ui.card} mx-auto max-w-xl p-8 text-center`}>
      <p className="text-4xl" aria-hidden="true">
        🫖
      </p>
      <h1 className={`${ui.h1} mt-3`}>No such rollout</h1>
      <p className={`mt-2 ${ui.muted}`}>There is no rollout with that id. It may never have existed, or the link is wrong.</p>
      <div className="mt-6 flex justify-center gap-3">
        <Link href="/rollouts" className={ui.btnPrimary}>
          All rollouts
        </Link>
        <Link href="/rollouts/new" className={ui.btnSecondary}>
          New rollout
        </Link>
      </div>
    </div>
  );
}
