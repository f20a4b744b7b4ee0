import Link from "next/link";
import { ui } from "@/lib/web/ui";

export default function NotFound() {
  return (
    <div className={`${ui.card} mx-auto max-w-xl p-8 text-center`}>
      <h1 className={ui.h1}>Page not found</h1>
      <p className={`mt-2 ${ui.muted}`}>Nothing lives at this address.</p>
      <div className="mt-6 flex justify-center gap-3">
        <Link href="/" className={ui.btnPrimary}>
          Home
        </Link>
        <Link href="/rollouts" className={ui.btnSecondary}>
          All rollouts
        </Link>
      </div>
    </div>
  );
}
