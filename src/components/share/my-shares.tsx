"use client";

import Link from "next/link";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { api } from "@/lib/api";
import { formatDateTime, timeAgo } from "@/lib/format";
import { STATE_LABEL, shareUrl, type ShareLink } from "./share-dialog";

type Row = ShareLink & { promptId: string; promptTitle: string; lastViewedAt: string | null };

/** Every link I have shared, with its views and state; revoke in one click. */
export function MySharesView({ initial }: { initial: Row[] }) {
  const [rows, setRows] = useState(initial);
  async function revoke(id: string) {
    const link = await api<Row>(`/api/shares/${id}`, { method: "DELETE" });
    setRows((current) => current.map((r) => (r.id === id ? link : r)));
  }
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">My shares</h1>
        <p className="text-sm text-slate-500">Public links to your prompts. Share a prompt from its page.</p>
      </div>
      {rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center text-sm text-slate-500">You have not shared any prompt yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" data-testid="my-shares">
          {rows.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <Link href={`/prompts/${r.promptId}`} className="font-medium text-slate-900 hover:underline">
                  {r.promptTitle}
                </Link>
                <p className="text-xs text-slate-500">
                  {r.version === "latest" ? "Latest version" : `Version ${r.version}`} · {r.viewCount}
                  {r.maxViews ? ` of ${r.maxViews}` : ""} views
                  {r.expiresAt && ` · expires ${formatDateTime(r.expiresAt)}`}
                  {r.lastViewedAt && ` · last opened ${timeAgo(r.lastViewedAt)}`} · created {timeAgo(r.createdAt)}
                </p>
              </div>
              <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${r.state === "active" ? "bg-emerald-50 text-emerald-700" : "bg-slate-100 text-slate-600"}`}>{STATE_LABEL[r.state]}</span>
              {r.state === "active" && (
                <>
                  <CopyButton text={() => shareUrl(r.slug)} label="Copy link" size="sm" />
                  <Button size="sm" variant="danger" onClick={() => revoke(r.id)}>
                    Revoke
                  </Button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
