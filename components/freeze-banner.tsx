// A banner while a freeze window is on, or starts within the next 24 hours
// (Home and every rollout page): its name, reason, kinds and times. Server
// component: the windows come with the page.
import type { FreezeBannerItem } from "@/lib/kettle/operations";
import { Time } from "./app-context";

export function FreezeBanner({ items }: { items: FreezeBannerItem[] }) {
  if (!items.length) return null;
  return (
    <div role="status" data-testid="freeze-banner" className="space-y-1 rounded-xl border border-sky-300 bg-sky-50 px-4 py-3 text-sm text-sky-950 dark:border-sky-700 dark:bg-sky-950 dark:text-sky-100">
      {items.map((f) => (
        <p key={`${f.id}-${f.start}`}>
          <span aria-hidden="true">❄ </span>
          <strong>{f.on ? "Freeze on" : "Freeze ahead"}: {f.name}</strong>
          {f.reason ? <> ({f.reason})</> : null} · {f.kinds ? f.kinds.join(", ") : "every kind"} ·{" "}
          {f.on ? (
            <>
              until <Time at={f.end} />: runs are refused and running rollouts pause before their next task
            </>
          ) : (
            <>
              from <Time at={f.start} /> to <Time at={f.end} />
            </>
          )}
        </p>
      ))}
    </div>
  );
}
