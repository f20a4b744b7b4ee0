"use client";
// The optional comment kept with a decision (a gate's, a failed task's, a plan's).
import { useId } from "react";
import { ui } from "@/lib/web/ui";

export function CommentField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className={`mb-1 block text-xs ${ui.muted}`}>
        Comment (optional, kept on record)
      </label>
      <textarea id={id} rows={2} maxLength={1000} value={value} onChange={(e) => onChange(e.target.value)} className={ui.input} />
    </div>
  );
}
