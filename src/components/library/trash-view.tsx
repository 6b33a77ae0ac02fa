"use client";

import { RotateCcw, Trash2 } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";
import { timeAgo } from "@/lib/format";
import type { PromptSummary } from "@/lib/types";

type Page = { items: PromptSummary[]; nextCursor: string | null };

/** Trashed prompts: restore one, delete one for good, or empty the trash. */
export function TrashView() {
  const [items, setItems] = useState<PromptSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(after?: string) {
    const page = await api<Page>(`/api/prompts?trashed=true&limit=50${after ? `&cursor=${encodeURIComponent(after)}` : ""}`);
    setItems((current) => (after ? [...(current ?? []), ...page.items] : page.items));
    setCursor(page.nextCursor);
  }

  useEffect(() => {
    load().catch(() => setError("Could not load the trash."));
  }, []);

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Something went wrong.");
    }
  }

  const remove = (id: string) => setItems((current) => current?.filter((p) => p.id !== id) ?? null);

  return (
    <div className="mx-auto max-w-3xl space-y-4">
      <div className="flex items-center justify-between">
        <div>
          <h1 className="text-xl font-semibold">Trash</h1>
          <p className="text-sm text-slate-500">Trashed prompts keep their history until you delete them for good.</p>
        </div>
        {items && items.length > 0 && (
          <Button
            variant="danger"
            onClick={() =>
              run(async () => {
                if (!confirm("Delete every prompt in the trash for good? This cannot be undone.")) return;
                await api("/api/trash", { method: "DELETE" });
                setItems([]);
                setCursor(null);
              })
            }
          >
            <Trash2 className="h-4 w-4" /> Empty trash
          </Button>
        )}
      </div>
      {error && <Alert>{error}</Alert>}
      {!items ? (
        <p className="text-sm text-slate-500">Loading…</p>
      ) : items.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-12 text-center text-sm text-slate-500">The trash is empty.</p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white">
          {items.map((p) => (
            <li key={p.id} className="flex items-center gap-3 p-4">
              <div className="min-w-0 flex-1">
                <p className="truncate font-medium">{p.title}</p>
                <p className="text-xs text-slate-500">Trashed {p.deletedAt ? timeAgo(p.deletedAt) : ""}</p>
              </div>
              <Button size="sm" onClick={() => run(async () => { await api(`/api/prompts/${p.id}/restore`, { method: "POST" }); remove(p.id); })}>
                <RotateCcw className="h-4 w-4" /> Restore
              </Button>
              <Button
                size="sm"
                variant="danger"
                onClick={() =>
                  run(async () => {
                    if (!confirm(`Delete “${p.title}” and all its versions for good?`)) return;
                    await api(`/api/prompts/${p.id}?permanent=true`, { method: "DELETE" });
                    remove(p.id);
                  })
                }
              >
                Delete forever
              </Button>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <div className="flex justify-center">
          <Button onClick={() => run(() => load(cursor))}>Load more</Button>
        </div>
      )}
    </div>
  );
}
