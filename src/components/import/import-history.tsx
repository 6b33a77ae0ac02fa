"use client";

import Link from "next/link";
import { useState } from "react";
import { SOURCE_LABELS, timeAgo } from "@/lib/format";
import type { ImportSessionView } from "@/lib/types";
import { ImportSummary } from "./import-summary";

/** Earlier imports, newest first; open one to see its summary. */
export function ImportHistory({ initial }: { initial: ImportSessionView[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (initial.length === 0) return null;
  return (
    <section className="space-y-3">
      <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-500">Earlier imports</h2>
      <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white">
        {initial.map((s) => (
          <li key={s.id} className="px-4 py-3">
            <button type="button" className="flex w-full items-center gap-3 text-left" onClick={() => setOpen(open === s.id ? null : s.id)}>
              <span className="min-w-0 flex-1 truncate text-sm font-medium text-slate-800">{s.files.map((f) => f.fileName).join(", ")}</span>
              <span className="text-xs text-slate-500">
                {[...new Set(s.files.map((f) => (f.source ? (SOURCE_LABELS[f.source] ?? f.source) : null)).filter(Boolean))].join(", ")}
              </span>
              <span className="text-xs text-slate-500">{s.interrupted ? "interrupted" : s.status}</span>
              <span className="text-xs text-slate-500">{s.totals.imported} new</span>
              <span className="text-xs text-slate-400">{timeAgo(s.createdAt)}</span>
            </button>
            {open === s.id && (
              <div className="mt-3">
                <ImportSummary session={s} />
              </div>
            )}
          </li>
        ))}
      </ul>
      <p className="text-xs text-slate-400">
        Imported prompts appear in the <Link href="/library" className="underline">library</Link> with their source.
      </p>
    </section>
  );
}
