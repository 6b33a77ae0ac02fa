"use client";

import { Star, Trash2 } from "lucide-react";
import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button";
import { TagChip } from "@/components/ui/tag-chip";
import { api } from "@/lib/api";
import { SOURCE_LABELS, timeAgo } from "@/lib/format";
import type { Folder, PromptDetail, PromptSummary } from "@/lib/types";

/** One prompt in the library list: open, favourite, copy, trash. */
export function PromptCard({ prompt, folders, onChanged }: { prompt: PromptSummary; folders: Folder[]; onChanged: (updated: PromptSummary | null, id: string) => void }) {
  const folder = folders.find((f) => f.id === prompt.folderId);

  async function toggleFavorite() {
    const detail = await api<PromptDetail>(`/api/prompts/${prompt.id}`, { method: "PATCH", body: { isFavorite: !prompt.isFavorite } });
    onChanged({ ...prompt, isFavorite: detail.isFavorite }, prompt.id);
  }

  async function trash() {
    await api(`/api/prompts/${prompt.id}`, { method: "DELETE" });
    onChanged(null, prompt.id);
  }

  // The list only carries a preview; copying fetches the full text.
  async function fullBody(): Promise<string> {
    return (await api<PromptDetail>(`/api/prompts/${prompt.id}`)).body;
  }

  return (
    <li className="group rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition hover:border-slate-300" data-testid="prompt-card">
      <div className="flex items-start gap-3">
        <div className="min-w-0 flex-1">
          <Link href={`/prompts/${prompt.id}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
            {prompt.title}
          </Link>
          <p className="mt-1 line-clamp-2 whitespace-pre-line text-sm text-slate-600">
            {prompt.preview}
            {prompt.bodyLength > prompt.preview.length && "…"}
          </p>
          <div className="mt-2.5 flex flex-wrap items-center gap-x-3 gap-y-1.5 text-xs text-slate-500">
            <span className="rounded bg-slate-100 px-1.5 py-0.5 font-medium text-slate-600" title={prompt.sourceDetail.conversationTitle}>
              {SOURCE_LABELS[prompt.source] ?? prompt.source}
              {prompt.sourceDetail.conversationTitle ? ` · ${prompt.sourceDetail.conversationTitle}` : ""}
            </span>
            {folder && <span>in {folder.name}</span>}
            <span>v{prompt.currentVersion}</span>
            {prompt.useCount > 1 && <span>used {prompt.useCount}×</span>}
            <span title={new Date(prompt.updatedAt).toLocaleString()}>updated {timeAgo(prompt.updatedAt)}</span>
            {prompt.tags.map((tag) => (
              <TagChip key={tag.id} name={tag.name} color={tag.color} />
            ))}
          </div>
        </div>
        <div className="flex shrink-0 items-center gap-1">
          <button
            type="button"
            onClick={toggleFavorite}
            aria-pressed={prompt.isFavorite}
            aria-label={prompt.isFavorite ? "Remove from favourites" : "Add to favourites"}
            className="focus-ring rounded-md p-1.5 text-slate-400 hover:bg-slate-100 hover:text-amber-500"
          >
            <Star className={`h-4 w-4 ${prompt.isFavorite ? "fill-amber-400 text-amber-500" : ""}`} />
          </button>
          <CopyButton text={fullBody} variant="ghost" size="sm" label="Copy" />
          <button type="button" onClick={trash} aria-label="Move to trash" className="focus-ring rounded-md p-1.5 text-slate-400 hover:bg-slate-100 hover:text-red-600">
            <Trash2 className="h-4 w-4" />
          </button>
        </div>
      </div>
    </li>
  );
}
