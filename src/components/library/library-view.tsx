"use client";

import { Loader2, Plus, Search, X } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, buttonClass } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";
import { api, ApiError, qs } from "@/lib/api";
import { SOURCE_LABELS } from "@/lib/format";
import type { Folder, PromptSummary, Tag } from "@/lib/types";
import { LibrarySidebar } from "./library-sidebar";
import { PromptCard } from "./prompt-card";
import { useLibraryQuery } from "./use-library-query";

type Page = { items: PromptSummary[]; nextCursor: string | null };

const SORT_OPTIONS = [
  { value: "updated", label: "Recently updated" },
  { value: "created", label: "Recently created" },
  { value: "title", label: "Title A–Z" },
  { value: "uses", label: "Most reused" },
];

export function LibraryView({ initialFolders, initialTags }: { initialFolders: Folder[]; initialTags: Tag[] }) {
  const [filters, setFilters] = useLibraryQuery();
  const [folders, setFolders] = useState(initialFolders);
  const [tags, setTags] = useState(initialTags);
  const [items, setItems] = useState<PromptSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [searchText, setSearchText] = useState(filters.q);
  const request = useRef(0);
  const [reloadKey, setReloadKey] = useState(0);

  const sort = filters.sort ?? (filters.q ? "relevance" : "updated");
  const query = useCallback(
    (after?: string | null) =>
      `/api/prompts${qs({ q: filters.q, folderId: filters.folderId, tagId: filters.tagId, source: filters.source, favorite: filters.favorite, importId: filters.importId, sort, cursor: after ?? undefined, limit: 30 })}`,
    [filters, sort],
  );

  // Reload the first page whenever the filters change; ignore answers to superseded requests.
  useEffect(() => {
    const id = ++request.current;
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    api<Page>(query(), { signal: controller.signal })
      .then((page) => {
        if (id !== request.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
      })
      .catch((e) => {
        if (id === request.current && !controller.signal.aborted) setError(e instanceof ApiError ? e.message : "Could not load your prompts.");
      })
      .finally(() => id === request.current && setLoading(false));
    return () => controller.abort();
  }, [query, reloadKey]);

  // Search as you type, debounced.
  useEffect(() => {
    if (searchText === filters.q) return;
    const timer = setTimeout(() => setFilters({ q: searchText.trim(), sort: undefined }), 250);
    return () => clearTimeout(timer);
  }, [searchText, filters.q, setFilters]);

  async function loadMore() {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api<Page>(query(cursor));
      setItems((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not load more prompts.");
    } finally {
      setLoadingMore(false);
    }
  }

  const refreshCounts = useCallback(async () => {
    const [f, t] = await Promise.all([api<{ folders: Folder[] }>("/api/folders"), api<{ tags: Tag[] }>("/api/tags")]);
    setFolders(f.folders);
    setTags(t.tags);
  }, []);

  function onChanged(updated: PromptSummary | null, id: string) {
    setItems((current) => (updated ? current.map((p) => (p.id === id ? updated : p)) : current.filter((p) => p.id !== id)));
    void refreshCounts();
  }

  const activeFolder = folders.find((f) => f.id === filters.folderId);
  const activeTag = tags.find((t) => t.id === filters.tagId);
  const heading = filters.importId
    ? "From this import"
    : filters.favorite ? "Favourites" : filters.folderId === "none" ? "Unfiled" : activeFolder ? activeFolder.name : activeTag ? `#${activeTag.name}` : "All prompts";
  const filtered = Boolean(filters.q || filters.folderId || filters.tagId || filters.source || filters.favorite || filters.importId);

  return (
    <div className="flex gap-6">
      <LibrarySidebar
        folders={folders}
        tags={tags}
        filters={filters}
        onFilter={setFilters}
        onFoldersChange={setFolders}
        onTagsChange={setTags}
        onMetadataDeleted={() => setFilters({ folderId: undefined, tagId: undefined })}
        onAutoTagged={() => setReloadKey((k) => k + 1)}
      />
      <section className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="mr-auto text-xl font-semibold">{heading}</h1>
          <Link href={`/prompts/new${filters.folderId && filters.folderId !== "none" ? `?folder=${filters.folderId}` : ""}`} className={buttonClass("primary")}>
            <Plus className="h-4 w-4" /> New prompt
          </Link>
        </div>

        <div className="mt-4 flex flex-wrap items-center gap-2">
          <div className="relative min-w-64 flex-1">
            <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-slate-400" />
            <Input
              type="search"
              aria-label="Search prompts"
              placeholder="Search titles and text…"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
              className="pl-8"
            />
          </div>
          <Select aria-label="Source" value={filters.source ?? ""} onChange={(e) => setFilters({ source: e.target.value || undefined })} className="w-40">
            <option value="">All sources</option>
            {Object.entries(SOURCE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </Select>
          <Select aria-label="Sort" value={sort} onChange={(e) => setFilters({ sort: e.target.value })} className="w-48">
            {filters.q && <option value="relevance">Best match</option>}
            {SORT_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </Select>
          {filtered && (
            <Button
              variant="ghost"
              onClick={() => {
                setSearchText("");
                setFilters({ q: "", folderId: undefined, tagId: undefined, source: undefined, favorite: undefined, importId: undefined, sort: undefined });
              }}
            >
              <X className="h-4 w-4" /> Clear
            </Button>
          )}
        </div>

        <div className="mt-4 space-y-3" aria-busy={loading}>
          {error && <Alert>{error}</Alert>}
          {/* The first load shows a spinner; later ones (each search keystroke, each filter) keep the current
              list, dimmed, until the new one arrives, instead of blanking it. */}
          {loading && items.length === 0 ? (
            <div className="flex items-center gap-2 py-10 text-sm text-slate-500">
              <Loader2 className="h-4 w-4 animate-spin" /> Loading prompts…
            </div>
          ) : items.length === 0 ? (
            <EmptyState filtered={filtered} />
          ) : (
            <ul className={`space-y-3 transition-opacity ${loading ? "opacity-60" : ""}`} data-testid="prompt-list">
              {items.map((prompt) => (
                <PromptCard key={prompt.id} prompt={prompt} folders={folders} onChanged={onChanged} />
              ))}
            </ul>
          )}
          {cursor && !loading && (
            <div className="flex justify-center pt-2">
              <Button onClick={loadMore} disabled={loadingMore}>
                {loadingMore ? "Loading…" : "Load more"}
              </Button>
            </div>
          )}
        </div>
      </section>
    </div>
  );
}

function EmptyState({ filtered }: { filtered: boolean }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white px-6 py-14 text-center">
      {filtered ? (
        <>
          <p className="font-medium text-slate-800">No prompts match.</p>
          <p className="mt-1 text-sm text-slate-500">Try fewer words, another filter, or clear the filters.</p>
        </>
      ) : (
        <>
          <p className="font-medium text-slate-800">Your library is empty.</p>
          <p className="mt-1 text-sm text-slate-500">Import the prompts you already wrote in ChatGPT, Claude, Gemini, Cline or Cursor — or write a new one.</p>
          <div className="mt-4 flex justify-center gap-2">
            <Link href="/import" className={buttonClass("primary")}>
              Import your history
            </Link>
            <Link href="/prompts/new" className={buttonClass("secondary")}>
              <Plus className="h-4 w-4" /> New prompt
            </Link>
          </div>
        </>
      )}
    </div>
  );
}
