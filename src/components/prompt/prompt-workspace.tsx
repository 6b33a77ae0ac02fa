"use client";

import { ArrowLeft, RotateCcw, Share2, Sparkles, Star, Trash2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input, Select, Textarea } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import { SOURCE_LABELS, formatDateTime, timeAgo } from "@/lib/format";
import { effectiveParameters, type TemplateParameter } from "@/lib/templates";
import type { Folder, PromptDetail, Tag } from "@/lib/types";
import { ShareDialog } from "@/components/share/share-dialog";
import { HistoryPanel } from "./history-panel";
import { OptimizeDialog } from "./optimize-dialog";
import { ParametersPanel } from "./parameters-panel";
import { SourcesPanel } from "./sources-panel";
import { TagPicker } from "./tag-picker";
import { UsePanel } from "./use-panel";

type Draft = {
  title: string;
  body: string;
  description: string;
  notes: string;
  modelHint: string;
  folderId: string;
  tagIds: string[];
  parameters: TemplateParameter[];
};

function draftOf(prompt: PromptDetail | undefined, defaultFolderId?: string): Draft {
  return {
    title: prompt?.title ?? "",
    body: prompt?.body ?? "",
    description: prompt?.description ?? "",
    notes: prompt?.notes ?? "",
    modelHint: prompt?.modelHint ?? "",
    folderId: prompt?.folder?.id ?? defaultFolderId ?? "",
    tagIds: prompt?.tags.map((t) => t.id) ?? [],
    parameters: prompt?.parameters ?? [],
  };
}

const TABS = ["use", "history", "parameters", "sources"] as const;
type TabName = (typeof TABS)[number];
const TAB_LABELS: Record<TabName, string> = { use: "Use", history: "History", parameters: "Parameters", sources: "Sources" };

/** The prompt page: edit (each save is a version), use the template, browse history, define parameters. */
export function PromptWorkspace({ initialPrompt, folders, initialTags, defaultFolderId }: { initialPrompt?: PromptDetail; folders: Folder[]; initialTags: Tag[]; defaultFolderId?: string }) {
  const router = useRouter();
  const [prompt, setPrompt] = useState(initialPrompt);
  const [tags, setTags] = useState(initialTags);
  const [draft, setDraft] = useState(() => draftOf(initialPrompt, defaultFolderId));
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorCode, setErrorCode] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tab, setTab] = useState<TabName>("use");
  const [historyKey, setHistoryKey] = useState(0);
  const [sharing, setSharing] = useState(false);
  const [optimizing, setOptimizing] = useState(false);

  const saved = useMemo(() => draftOf(prompt, defaultFolderId), [prompt, defaultFolderId]);
  const dirty = JSON.stringify(saved) !== JSON.stringify(draft);
  const variables = useMemo(() => effectiveParameters(draft.body, draft.parameters), [draft.body, draft.parameters]);
  const trashed = Boolean(prompt?.deletedAt);

  // Warn before leaving with unsaved changes.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function accept(next: PromptDetail, note?: string) {
    setPrompt(next);
    setDraft(draftOf(next));
    setMessage("");
    setHistoryKey((k) => k + 1);
    setNotice(note ?? null);
  }

  async function save() {
    setSaving(true);
    setError(null);
    setErrorCode(null);
    setNotice(null);
    // Only parameters for variables still in the body are kept.
    const parameters = draft.parameters.filter((p) => variables.some((v) => v.name === p.name));
    const fields = {
      title: draft.title.trim() || undefined,
      body: draft.body,
      description: draft.description,
      notes: draft.notes,
      modelHint: draft.modelHint.trim() || null,
      folderId: draft.folderId || null,
      tagIds: draft.tagIds,
      parameters,
      message: message.trim() || undefined,
    };
    try {
      if (!prompt) {
        const created = await api<PromptDetail>("/api/prompts", { body: fields });
        // Keep this editor (and its state) and only change the address: the page is now this prompt's page.
        window.history.replaceState(null, "", `/prompts/${created.id}`);
        accept(created, "Saved as version 1.");
        return;
      }
      const updated = await api<PromptDetail>(`/api/prompts/${prompt.id}`, { method: "PATCH", body: { ...fields, baseVersion: prompt.currentVersion } });
      accept(updated, updated.currentVersion !== prompt.currentVersion ? `Saved as version ${updated.currentVersion}.` : "Saved.");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not save. Your changes are still here; try again.");
      setErrorCode(e instanceof ApiError ? e.code : null);
    } finally {
      setSaving(false);
    }
  }

  async function toggleFavorite() {
    if (!prompt) return;
    const updated = await api<PromptDetail>(`/api/prompts/${prompt.id}`, { method: "PATCH", body: { isFavorite: !prompt.isFavorite } });
    setPrompt({ ...prompt, isFavorite: updated.isFavorite });
  }

  async function moveToTrash() {
    if (!prompt) return;
    await api(`/api/prompts/${prompt.id}`, { method: "DELETE" });
    router.push("/library");
  }

  async function restoreFromTrash() {
    if (!prompt) return;
    accept(await api<PromptDetail>(`/api/prompts/${prompt.id}/restore`, { method: "POST" }), "Restored from the trash.");
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link href="/library" className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
          <ArrowLeft className="h-4 w-4" /> Library
        </Link>
        {prompt && (
          <span className="text-sm text-slate-500" data-testid="version-status">
            Version {prompt.currentVersion} · saved {timeAgo(prompt.updatedAt)}
            {prompt.source !== "manual" && ` · from ${SOURCE_LABELS[prompt.source] ?? prompt.source}`}
          </span>
        )}
        <div className="ml-auto flex items-center gap-2">
          {prompt && !trashed && (
            <>
              <Button variant="ghost" size="sm" onClick={toggleFavorite} aria-pressed={prompt.isFavorite} aria-label={prompt.isFavorite ? "Remove from favourites" : "Add to favourites"}>
                <Star className={`h-4 w-4 ${prompt.isFavorite ? "fill-amber-400 text-amber-500" : ""}`} />
              </Button>
              <Button variant="secondary" size="sm" onClick={() => setOptimizing(true)} disabled={dirty} title={dirty ? "Save your changes first" : undefined}>
                <Sparkles className="h-4 w-4" /> Optimize
              </Button>
              <Button variant="secondary" size="sm" onClick={() => setSharing(true)}>
                <Share2 className="h-4 w-4" /> Share
              </Button>
              <Button variant="ghost" size="sm" onClick={moveToTrash}>
                <Trash2 className="h-4 w-4" /> Trash
              </Button>
            </>
          )}
        </div>
      </div>

      {prompt && (
        <OptimizeDialog
          prompt={prompt}
          open={optimizing}
          onClose={() => setOptimizing(false)}
          onAccepted={(next) => {
            accept(next, `Optimization applied as version ${next.currentVersion}.`);
          }}
        />
      )}
      {prompt && <ShareDialog promptId={prompt.id} currentVersion={prompt.currentVersion} open={sharing} onClose={() => setSharing(false)} />}
      {trashed && (
        <Alert tone="info">
          This prompt is in the trash.{" "}
          <button type="button" onClick={restoreFromTrash} className="inline-flex items-center gap-1 font-medium underline">
            <RotateCcw className="h-3.5 w-3.5" /> Restore it
          </button>{" "}
          to edit it.
        </Alert>
      )}
      {error && (
        <Alert>
          {error}
          {errorCode === "limit_exceeded" && (
            <>
              {" "}
              <Link href="/plan" className="font-medium underline">
                See plans
              </Link>
            </>
          )}
        </Alert>
      )}
      {notice && <Alert tone="success">{notice}</Alert>}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_26rem]">
        <section className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <Field label="Title" htmlFor="title" hint={!prompt ? "Leave empty to use the first line of the prompt." : undefined}>
            <Input id="title" value={draft.title} onChange={(e) => set("title", e.target.value)} maxLength={300} disabled={trashed} placeholder="What this prompt does" />
          </Field>
          <Field label="Prompt" htmlFor="body" hint="Use {{variable}} for the parts that change each time.">
            <Textarea
              id="body"
              value={draft.body}
              onChange={(e) => set("body", e.target.value)}
              rows={14}
              disabled={trashed}
              className="font-mono text-[13px] leading-6"
              placeholder={"You are an expert editor. Rewrite {{text}} for {{audience}}…"}
            />
          </Field>
          {variables.length > 0 && (
            <p className="flex flex-wrap items-center gap-1.5 text-xs text-slate-500">
              Variables:
              {variables.map((v) => (
                <code key={v.name} className="rounded bg-brand-50 px-1.5 py-0.5 text-brand-700">
                  {v.name}
                </code>
              ))}
            </p>
          )}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field label="Folder" htmlFor="folder">
              <Select id="folder" value={draft.folderId} onChange={(e) => set("folderId", e.target.value)} disabled={trashed}>
                <option value="">No folder</option>
                {folders.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Model hint" htmlFor="modelHint" hint="The model this prompt is written for (optional).">
              <Input id="modelHint" value={draft.modelHint} onChange={(e) => set("modelHint", e.target.value)} maxLength={100} disabled={trashed} placeholder="gpt-4o, claude-sonnet…" />
            </Field>
          </div>
          <TagPicker tags={tags} selected={draft.tagIds} onChange={(ids) => set("tagIds", ids)} onTagCreated={(tag) => setTags((t) => [...t, tag])} disabled={trashed} />
          <Field label="Description" htmlFor="description">
            <Textarea id="description" value={draft.description} onChange={(e) => set("description", e.target.value)} rows={2} maxLength={2000} disabled={trashed} />
          </Field>
          <details className="group">
            <summary className="cursor-pointer text-sm font-medium text-slate-700">Private notes</summary>
            <Textarea aria-label="Private notes" className="mt-2" value={draft.notes} onChange={(e) => set("notes", e.target.value)} rows={3} disabled={trashed} placeholder="Only you see these — never on a share page." />
          </details>

          <div className="flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
            <Input
              aria-label="Version message"
              placeholder="What changed? (optional)"
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              maxLength={500}
              className="min-w-48 flex-1"
              disabled={trashed}
            />
            <Button variant="primary" onClick={save} disabled={saving || trashed || (!dirty && Boolean(prompt)) || !draft.body.trim()}>
              {saving ? "Saving…" : prompt ? "Save" : "Create prompt"}
            </Button>
            {prompt && dirty && !saving && (
              <Button variant="ghost" onClick={() => setDraft(saved)}>
                Discard changes
              </Button>
            )}
          </div>
          {prompt && (
            <p className="text-xs text-slate-400">
              Created {formatDateTime(prompt.createdAt)}
              {prompt.sourceDetail.conversationTitle && ` · conversation “${prompt.sourceDetail.conversationTitle}”`}
              {prompt.sourceDetail.model && ` · ${prompt.sourceDetail.model}`}
            </p>
          )}
        </section>

        <aside className="rounded-xl border border-slate-200 bg-white shadow-sm">
          <div role="tablist" aria-label="Prompt tools" className="flex border-b border-slate-200">
            {TABS.filter((name) => name !== "sources" || (prompt && prompt.source !== "manual")).map((name) => (
              <button
                key={name}
                role="tab"
                type="button"
                aria-selected={tab === name}
                onClick={() => setTab(name)}
                disabled={!prompt && name === "history"}
                className={`focus-ring flex-1 px-3 py-2.5 text-sm font-medium disabled:text-slate-300 ${tab === name ? "border-b-2 border-brand-600 text-brand-700" : "text-slate-500 hover:text-slate-800"}`}
              >
                {TAB_LABELS[name]}
              </button>
            ))}
          </div>
          <div className="p-4" role="tabpanel">
            {tab === "use" && <UsePanel body={draft.body} variables={variables} />}
            {tab === "history" && prompt && <HistoryPanel key={historyKey} prompt={prompt} onRestored={(p, n) => accept(p, `Version ${n} restored as version ${p.currentVersion}.`)} onLabelsChanged={(labels) => setPrompt({ ...prompt, labels })} />}
            {tab === "sources" && prompt && <SourcesPanel promptId={prompt.id} useCount={prompt.useCount} />}
            {tab === "parameters" && <ParametersPanel variables={variables} declared={draft.parameters} onChange={(params) => set("parameters", params)} disabled={trashed} />}
          </div>
        </aside>
      </div>
    </div>
  );
}
