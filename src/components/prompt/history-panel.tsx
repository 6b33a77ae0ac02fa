"use client";

import { GitCompare, RotateCcw, Tag as TagIcon, X } from "lucide-react";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import { formatDateTime, timeAgo } from "@/lib/format";
import type { PromptDetail, VersionDiff, VersionListItem } from "@/lib/types";
import { DiffView } from "./diff-view";

const SUGGESTED_LABELS = ["production", "staging"];

/** Versions newest first; pick two to compare, restore any, and move labels between them. */
export function HistoryPanel({ prompt, onRestored, onLabelsChanged }: { prompt: PromptDetail; onRestored: (p: PromptDetail, from: number) => void; onLabelsChanged: (labels: PromptDetail["labels"]) => void }) {
  const [versions, setVersions] = useState<VersionListItem[] | null>(null);
  const [selected, setSelected] = useState<number[]>([]);
  const [diff, setDiff] = useState<VersionDiff | null>(null);
  const [labelFor, setLabelFor] = useState<number | null>(null);
  const [labelName, setLabelName] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function load() {
    const { versions } = await api<{ versions: VersionListItem[] }>(`/api/prompts/${prompt.id}/versions`);
    setVersions(versions);
  }

  useEffect(() => {
    load().catch(() => setError("Could not load the history."));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [prompt.id]);

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Something went wrong.");
    }
  }

  function toggle(number: number) {
    setDiff(null);
    setSelected((current) => (current.includes(number) ? current.filter((n) => n !== number) : [...current, number].slice(-2)));
  }

  const compare = () =>
    run(async () => {
      const [a, b] = [...selected].sort((x, y) => x - y);
      setDiff(await api<VersionDiff>(`/api/prompts/${prompt.id}/diff?from=${a}&to=${b}`));
    });

  const restore = (number: number) =>
    run(async () => {
      const restored = await api<PromptDetail>(`/api/prompts/${prompt.id}/versions/${number}/restore`, { method: "POST", body: {} });
      onRestored(restored, number);
    });

  const setLabel = (number: number, name: string) =>
    run(async () => {
      await api(`/api/prompts/${prompt.id}/labels/${encodeURIComponent(name.trim().toLowerCase())}`, { method: "PUT", body: { version: number } });
      setLabelFor(null);
      setLabelName("");
      await load();
      onLabelsChanged((await api<{ labels: PromptDetail["labels"] }>(`/api/prompts/${prompt.id}/labels`)).labels);
    });

  const removeLabel = (name: string) =>
    run(async () => {
      await api(`/api/prompts/${prompt.id}/labels/${encodeURIComponent(name)}`, { method: "DELETE" });
      await load();
      onLabelsChanged((await api<{ labels: PromptDetail["labels"] }>(`/api/prompts/${prompt.id}/labels`)).labels);
    });

  if (!versions) return <p className="text-sm text-slate-500">{error ?? "Loading history…"}</p>;
  const trashed = Boolean(prompt.deletedAt);

  return (
    <div className="space-y-3">
      {error && <Alert>{error}</Alert>}
      <div className="flex items-center justify-between gap-2">
        <p className="text-xs text-slate-500">{selected.length < 2 ? "Select two versions to compare." : `Comparing v${Math.min(...selected)} and v${Math.max(...selected)}.`}</p>
        <Button size="sm" onClick={compare} disabled={selected.length !== 2}>
          <GitCompare className="h-4 w-4" /> Compare
        </Button>
      </div>
      {diff && <DiffView diff={diff} />}
      <ol className="divide-y divide-slate-100 rounded-lg border border-slate-200" data-testid="version-list">
        {versions.map((v) => (
          <li key={v.number} className="space-y-1.5 p-3" data-testid="version-item">
            <div className="flex items-start gap-2">
              <input type="checkbox" className="mt-1" checked={selected.includes(v.number)} onChange={() => toggle(v.number)} aria-label={`Select version ${v.number}`} />
              <div className="min-w-0 flex-1">
                <p className="text-sm">
                  <span className="font-medium">v{v.number}</span>
                  {v.number === prompt.currentVersion && <span className="ml-1.5 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600">current</span>}
                  <span className="ml-1.5 text-slate-700">{v.message}</span>
                </p>
                <p className="text-xs text-slate-500" title={formatDateTime(v.createdAt)}>
                  {v.authorName ?? "Unknown"} · {timeAgo(v.createdAt)}
                </p>
                {v.labels.length > 0 && (
                  <div className="mt-1 flex flex-wrap gap-1">
                    {v.labels.map((name) => (
                      <span key={name} className="inline-flex items-center gap-1 rounded-full bg-brand-50 px-2 py-0.5 text-xs font-medium text-brand-700">
                        {name}
                        {!trashed && (
                          <button type="button" onClick={() => removeLabel(name)} aria-label={`Remove label ${name}`} className="text-brand-400 hover:text-brand-800">
                            <X className="h-3 w-3" />
                          </button>
                        )}
                      </span>
                    ))}
                  </div>
                )}
              </div>
              {!trashed && (
                <div className="flex shrink-0 gap-1">
                  <Button size="sm" variant="ghost" onClick={() => setLabelFor(labelFor === v.number ? null : v.number)} aria-label={`Label version ${v.number}`}>
                    <TagIcon className="h-3.5 w-3.5" />
                  </Button>
                  {v.number !== prompt.currentVersion && (
                    <Button size="sm" variant="ghost" onClick={() => restore(v.number)} aria-label={`Restore version ${v.number}`}>
                      <RotateCcw className="h-3.5 w-3.5" /> Restore
                    </Button>
                  )}
                </div>
              )}
            </div>
            {labelFor === v.number && (
              <form
                className="flex flex-wrap items-center gap-1.5 pl-6"
                onSubmit={(e) => {
                  e.preventDefault();
                  if (labelName.trim()) void setLabel(v.number, labelName);
                }}
              >
                {SUGGESTED_LABELS.map((name) => (
                  <Button key={name} size="sm" onClick={() => setLabel(v.number, name)}>
                    {name}
                  </Button>
                ))}
                <Input aria-label="Custom label" placeholder="custom-label" value={labelName} onChange={(e) => setLabelName(e.target.value)} className="h-8 w-32" maxLength={40} />
                <Button size="sm" type="submit" variant="primary" disabled={!labelName.trim()}>
                  Set
                </Button>
              </form>
            )}
          </li>
        ))}
      </ol>
      <p className="text-xs text-slate-400">
        Fetch a labelled version by API: <code>GET /api/prompts/{prompt.id.slice(0, 8)}…?label=production</code>
      </p>
    </div>
  );
}
