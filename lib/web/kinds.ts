// Server-side: readable titles for rollout kinds ("rollout:MyRollout" → its class's title).
import { resolveRolloutClass } from "@/lib/kettle/modules/registry";

export async function kindTitles(kinds: Iterable<string>): Promise<Record<string, string>> {
  const unique = [...new Set(kinds)];
  const titles = await Promise.all(unique.map((k) => resolveRolloutClass(k).then((r) => r.title).catch(() => k)));
  return Object.fromEntries(unique.map((k, i) => [k, titles[i]]));
}
