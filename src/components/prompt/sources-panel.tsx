"use client";

import { useEffect, useState } from "react";
import { api } from "@/lib/api";
import { SOURCE_LABELS, formatDateTime } from "@/lib/format";

type Occurrence = {
  id: string;
  source: string;
  conversationTitle: string | null;
  model: string | null;
  occurredAt: string | null;
  activeBranch: boolean;
  variantText: string | null;
  importId: string | null;
  fileName: string | null;
};

/** Where an imported prompt was used: one row per conversation, near-duplicate wordings shown as variants. */
export function SourcesPanel({ promptId, useCount }: { promptId: string; useCount: number }) {
  const [rows, setRows] = useState<Occurrence[] | null>(null);
  useEffect(() => {
    api<{ occurrences: Occurrence[] }>(`/api/prompts/${promptId}/occurrences`)
      .then((r) => setRows(r.occurrences))
      .catch(() => setRows([]));
  }, [promptId]);
  if (!rows) return <p className="text-sm text-slate-500">Loading…</p>;
  if (rows.length === 0) return <p className="text-sm text-slate-500">This prompt was written here, not imported.</p>;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-600">
        Used {useCount} time{useCount === 1 ? "" : "s"} in your history.
      </p>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200" data-testid="occurrence-list">
        {rows.map((o) => (
          <li key={o.id} className="space-y-1 p-3 text-sm">
            <p className="font-medium text-slate-800">{o.conversationTitle || "Untitled conversation"}</p>
            <p className="text-xs text-slate-500">
              {SOURCE_LABELS[o.source] ?? o.source}
              {o.model && ` · ${o.model}`}
              {o.occurredAt && ` · ${formatDateTime(o.occurredAt)}`}
              {!o.activeBranch && " · earlier edit"}
              {o.fileName && ` · ${o.fileName}`}
            </p>
            {o.variantText && <p className="line-clamp-3 whitespace-pre-line rounded bg-slate-50 p-2 text-xs text-slate-600">Worded as: {o.variantText}</p>}
          </li>
        ))}
      </ul>
    </div>
  );
}
