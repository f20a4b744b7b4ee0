// Status shown with colour and text (never colour alone).
import { rolloutStatusInfo, taskStatusInfo, toneClasses, toneDots } from "@/lib/web/format";

export function StatusBadge({ status, of = "rollout", size = "md" }: { status: string; of?: "rollout" | "task"; size?: "sm" | "md" | "lg" }) {
  const { label, tone } = of === "rollout" ? rolloutStatusInfo(status) : taskStatusInfo(status);
  const sizes = { sm: "px-1.5 py-0 text-[11px]", md: "px-2 py-0.5 text-xs", lg: "px-2.5 py-1 text-sm" };
  const pulse = tone === "running" || status.startsWith("aborting") || status.startsWith("terminating") || status === "rolling_back";
  return (
    <span
      data-status={status}
      className={`inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full font-medium ring-1 ring-inset ${sizes[size]} ${toneClasses[tone]}`}
    >
      <span aria-hidden="true" className={`h-1.5 w-1.5 rounded-full ${toneDots[tone]} ${pulse ? "animate-pulse" : ""}`} />
      {label}
    </span>
  );
}
