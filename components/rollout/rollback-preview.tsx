"use client";
// What aborting now would revert, in order, with parallel groups shown as such:
// the API's rollbackPreview, built from the order the executor reverts in.
import type { RollbackPreview, PreviewStep } from "@/lib/kettle/authoring/rollback-plan";
import { StatusBadge } from "../status-badge";
import { ui } from "@/lib/web/ui";

export function previewHeadline(p: RollbackPreview, rollingBack: boolean): string {
  const n = `${p.count} task${p.count === 1 ? "" : "s"}`;
  if (p.skipRollback) return `skip_rollback is set: nothing will be reverted; the ${n} that ran stay as they are`;
  if (rollingBack) return p.count ? `Still to revert: these ${n}, in this order` : "Nothing left to revert";
  return p.count ? `Aborting now would revert these ${n}, in this order` : "Aborting now would revert nothing: no task has started yet";
}

/** The ordered list; a parallel step is a box whose branches revert at the same time. */
export function RollbackPreviewList({ preview, max = 200 }: { preview: RollbackPreview; max?: number }) {
  const listed = Math.min(preview.shown, max);
  if (preview.skipRollback || !preview.count) return null;
  let shown = 0;
  const render = (steps: PreviewStep[]) => {
    const items = [];
    for (const [i, s] of steps.entries()) {
      if (shown >= max) break;
      if ("parallel" in s) {
        items.push(
          <li key={i} className="rounded-md border border-dashed border-violet-300 p-2 dark:border-violet-800" data-testid="preview-parallel">
            <span className={`text-xs font-medium ${ui.muted}`}>At the same time:</span>
            <ul className="mt-1 list-disc space-y-1 pl-4">{render(s.parallel)}</ul>
          </li>,
        );
      } else if ("sequence" in s) {
        items.push(
          <li key={i}>
            <span className={`text-xs ${ui.muted}`}>In this order:</span>
            <ol className="ml-3 mt-1 list-decimal space-y-1 pl-3">{render(s.sequence)}</ol>
          </li>,
        );
      } else {
        shown++;
        items.push(
          <li key={i} data-testid="preview-task" data-preview-task-id={s.taskId}>
            <span className="inline-flex flex-wrap items-center gap-2 align-middle">
              <span className="break-words" data-testid="preview-description">{s.description}</span>
              <StatusBadge status={s.status} of="task" size="sm" />
              {s.own && <span className={`text-xs ${ui.muted}`}>(reverts its children its own way)</span>}
            </span>
          </li>,
        );
      }
    }
    return items;
  };
  return (
    <div className="max-h-72 overflow-auto text-sm">
      <ol className="list-decimal space-y-1 pl-5" aria-label="Tasks that would be reverted, in order" data-testid="rollback-preview-list">
        {render(preview.steps)}
      </ol>
      {preview.count > listed && <p className={`mt-1 text-xs ${ui.muted}`} data-testid="preview-more">…then {preview.count - listed} more</p>}
    </div>
  );
}

/** On the rollout page while it runs: a headline that opens to the list. */
export function RollbackPreviewPanel({ preview, rollingBack }: { preview: RollbackPreview | null; rollingBack: boolean }) {
  if (!preview) return null;
  return (
    <details className={`${ui.card} p-4 sm:p-5`} data-testid="rollback-preview">
      <summary className="cursor-pointer text-sm font-medium">{previewHeadline(preview, rollingBack)}</summary>
      <div className="mt-3">
        <RollbackPreviewList preview={preview} />
      </div>
    </details>
  );
}
