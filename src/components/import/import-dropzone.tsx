"use client";

import { AnimatePresence, motion } from "framer-motion";
import { FileUp, Loader2, X } from "lucide-react";
import { useEffect, useRef, useState, type DragEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";
import { formatBytes } from "@/lib/format";
import type { ImportFormat, ImportSessionView } from "@/lib/types";
import { ImportSummary } from "./import-summary";
import { collectDroppedFiles } from "./dropped-files";

type Picked = { id: string; file: File; name: string; parser: string };
type Phase = "pick" | "upload" | "process" | "done";
type CreateResponse = { session: ImportSessionView; uploadMode: "local" | "blob"; uploads: { fileId: string; token: string; url: string }[] };

const ACCEPT = ".zip,.json,.jsonl,.ndjson,.md,.markdown,.txt,.csv,.tsv,.html,.htm,.vscdb,.db,.sqlite";

/**
 * Drag-and-drop import: pick files (or folders), upload them with a progress bar, then follow processing
 * until the summary. Large files are streamed to storage; nothing is read into the page's memory.
 */
export function ImportDropzone({ onFinished, compact = false }: { onFinished?: (session: ImportSessionView) => void; compact?: boolean }) {
  const [picked, setPicked] = useState<Picked[]>([]);
  const [formats, setFormats] = useState<ImportFormat[]>([]);
  const [phase, setPhase] = useState<Phase>("pick");
  const [uploaded, setUploaded] = useState<Record<string, number>>({});
  const [session, setSession] = useState<ImportSessionView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [autoTag, setAutoTag] = useState(true);
  const requests = useRef<XMLHttpRequest[]>([]);
  const cancelled = useRef(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    api<{ formats: ImportFormat[] }>("/api/imports/formats")
      .then((r) => setFormats(r.formats))
      .catch(() => setFormats([]));
  }, []);

  function add(files: { file: File; name: string }[]) {
    setError(null);
    setPicked((current) => [...current, ...files.filter((f) => f.file.size > 0).map((f) => ({ ...f, id: `${f.name}-${f.file.size}-${Math.random()}`, parser: "" }))]);
    const empty = files.filter((f) => f.file.size === 0);
    if (empty.length) setError(`Skipped empty file${empty.length > 1 ? "s" : ""}: ${empty.map((f) => f.name).join(", ")}`);
  }

  async function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (phase !== "pick") return;
    add(await collectDroppedFiles(event.dataTransfer));
  }

  async function start() {
    cancelled.current = false;
    setError(null);
    setPhase("upload");
    try {
      const created = await api<CreateResponse>("/api/imports", {
        body: { files: picked.map((p) => ({ name: p.name, size: p.file.size, parser: p.parser || undefined })), autoTag },
      });
      setSession(created.session);
      if (created.uploadMode === "blob") await uploadToBlob(created);
      else await Promise.all(created.uploads.map((u, i) => uploadLocal(u, picked[i]!.file)));
      if (cancelled.current) return;
      setPhase("process");
      await api(`/api/imports/${created.session.id}/start`, { method: "POST" });
      await follow(created.session.id);
    } catch (e) {
      if (cancelled.current) return;
      setError(e instanceof ApiError ? e.message : e instanceof Error ? e.message : "The import could not be started.");
      setPhase(session ? "done" : "pick");
    }
  }

  function uploadLocal(upload: CreateResponse["uploads"][number], file: File): Promise<void> {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      requests.current.push(xhr);
      xhr.open("PUT", upload.url);
      xhr.setRequestHeader("x-upload-token", upload.token);
      xhr.setRequestHeader("content-type", "application/octet-stream");
      xhr.upload.onprogress = (e) => setUploaded((u) => ({ ...u, [upload.fileId]: e.loaded }));
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          setUploaded((u) => ({ ...u, [upload.fileId]: file.size }));
          resolve();
        } else {
          let message = `Upload of ${file.name} failed (${xhr.status}).`;
          try {
            message = JSON.parse(xhr.responseText).error.message ?? message;
          } catch {
            // keep the generic message
          }
          reject(new Error(message));
        }
      };
      xhr.onerror = () => reject(new Error(`Upload of ${file.name} failed: the connection was lost.`));
      xhr.onabort = () => reject(new Error("Upload cancelled."));
      xhr.send(file);
    });
  }

  async function uploadToBlob(created: CreateResponse) {
    const { upload } = await import("@vercel/blob/client");
    await Promise.all(
      created.uploads.map(async (u, i) => {
        const file = picked[i]!.file;
        const { key } = await api<{ key: string }>(`/api/imports/${created.session.id}/files/${u.fileId}/blob-key`);
        await upload(key, file, {
          access: "private",
          handleUploadUrl: `/api/imports/${created.session.id}/files/${u.fileId}/blob`,
          multipart: true,
          onUploadProgress: (p) => setUploaded((s) => ({ ...s, [u.fileId]: p.loaded })),
        });
        await api(`/api/imports/${created.session.id}/files/${u.fileId}/blob`, { method: "PUT" });
      }),
    );
  }

  async function follow(id: string) {
    for (;;) {
      const current = await api<ImportSessionView>(`/api/imports/${id}`);
      setSession(current);
      if (current.status !== "running" || current.interrupted) {
        setPhase("done");
        onFinished?.(current);
        return;
      }
      if (cancelled.current) return;
      await new Promise((r) => setTimeout(r, 700));
    }
  }

  async function cancel() {
    cancelled.current = true;
    for (const xhr of requests.current) xhr.abort();
    requests.current = [];
    if (session) {
      try {
        setSession(await api<ImportSessionView>(`/api/imports/${session.id}/cancel`, { method: "POST" }));
      } catch {
        // already finished: show what it did
      }
      setPhase("done");
    } else {
      setPhase("pick");
    }
  }

  function reset() {
    setPicked([]);
    setUploaded({});
    setSession(null);
    setError(null);
    setPhase("pick");
  }

  const totalBytes = picked.reduce((n, p) => n + p.file.size, 0);
  const sentBytes = Object.values(uploaded).reduce((n, b) => n + b, 0);

  if (phase === "done" && session) {
    return (
      <div className="space-y-4">
        {error && <Alert>{error}</Alert>}
        <ImportSummary session={session} />
        <Button onClick={reset}>Import more files</Button>
      </div>
    );
  }

  return (
    <div className="space-y-4">
      {error && <Alert>{error}</Alert>}
      {phase === "pick" && (
        <div
          onDragOver={(e) => {
            e.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          onClick={() => input.current?.click()}
          role="button"
          tabIndex={0}
          onKeyDown={(e) => (e.key === "Enter" || e.key === " ") && input.current?.click()}
          data-testid="import-dropzone"
          className={`focus-ring flex cursor-pointer flex-col items-center justify-center rounded-xl border-2 border-dashed px-6 text-center transition ${compact ? "py-8" : "py-14"} ${dragging ? "border-brand-500 bg-brand-50" : "border-slate-300 bg-white hover:border-slate-400"}`}
        >
          <FileUp className="h-8 w-8 text-brand-600" />
          <p className="mt-3 font-medium text-slate-800">Drop your exports here, or click to choose files</p>
          <p className="mt-1 max-w-lg text-sm text-slate-500">
            ChatGPT or Claude data export (.zip or conversations.json), Google Takeout (Gemini), AI Studio prompts, Cline tasks, Cursor state.vscdb or exported chats,
            SpecStory history, CSV, JSON, JSONL, Markdown or text. Many files at once is fine.
          </p>
          <input
            ref={input}
            type="file"
            multiple
            accept={ACCEPT}
            className="hidden"
            data-testid="import-file-input"
            onChange={(e) => {
              add(Array.from(e.target.files ?? []).map((file) => ({ file, name: file.name })));
              e.target.value = "";
            }}
          />
        </div>
      )}

      {picked.length > 0 && (
        <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white" data-testid="import-files">
          <AnimatePresence initial={false}>
            {picked.map((p) => {
              const sent = session ? uploaded[session.files.find((f) => f.fileName === p.name)?.id ?? ""] ?? 0 : 0;
              return (
                <motion.li key={p.id} initial={{ opacity: 0, height: 0 }} animate={{ opacity: 1, height: "auto" }} exit={{ opacity: 0, height: 0 }} className="flex items-center gap-3 px-4 py-2.5">
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium text-slate-800">{p.name}</p>
                    <p className="text-xs text-slate-500">{formatBytes(p.file.size)}</p>
                    {phase !== "pick" && (
                      <div className="mt-1.5 h-1.5 overflow-hidden rounded bg-slate-100">
                        <div className="h-full bg-brand-500 transition-all" style={{ width: `${Math.min(100, (sent / p.file.size) * 100)}%` }} />
                      </div>
                    )}
                  </div>
                  {phase === "pick" && (
                    <>
                      <select
                        aria-label={`Format of ${p.name}`}
                        value={p.parser}
                        onChange={(e) => setPicked((all) => all.map((x) => (x.id === p.id ? { ...x, parser: e.target.value } : x)))}
                        className="h-8 max-w-52 rounded-md border border-slate-300 bg-white px-2 text-xs text-slate-700"
                      >
                        <option value="">Detect format</option>
                        {formats.map((f) => (
                          <option key={f.id} value={f.id}>
                            {f.label}
                          </option>
                        ))}
                      </select>
                      <button type="button" onClick={() => setPicked((all) => all.filter((x) => x.id !== p.id))} aria-label={`Remove ${p.name}`} className="rounded p-1 text-slate-400 hover:text-slate-700">
                        <X className="h-4 w-4" />
                      </button>
                    </>
                  )}
                </motion.li>
              );
            })}
          </AnimatePresence>
        </ul>
      )}

      {phase === "pick" && picked.length > 0 && (
        <div className="flex items-center gap-3">
          <Button variant="primary" onClick={start}>
            Import {picked.length} file{picked.length > 1 ? "s" : ""}
          </Button>
          <span className="text-sm text-slate-500">{formatBytes(totalBytes)} in all</span>
          <label className="ml-auto flex items-center gap-2 text-sm text-slate-600">
            <input type="checkbox" checked={autoTag} onChange={(e) => setAutoTag(e.target.checked)} /> Tag imported prompts by topic
          </label>
        </div>
      )}

      {(phase === "upload" || phase === "process") && (
        <div className="space-y-3 rounded-xl border border-slate-200 bg-white p-4" data-testid="import-progress">
          <ProgressLine label="Uploading" done={sentBytes} total={totalBytes} unit="bytes" active={phase === "upload"} />
          {phase === "process" && session && <ProcessingLines session={session} />}
          <Button variant="ghost" size="sm" onClick={cancel}>
            Cancel import
          </Button>
        </div>
      )}
    </div>
  );
}

function ProcessingLines({ session }: { session: ImportSessionView }) {
  return (
    <div className="space-y-2">
      {session.files.map((f) => {
        const writing = f.promptsFound > 0 && f.status === "processing" && f.processed > 0;
        return (
          <div key={f.id}>
            <ProgressLine
              label={`${writing ? "Saving" : "Reading"} ${f.fileName}`}
              done={writing ? f.processed : f.status === "succeeded" ? 1 : f.bytesRead}
              total={writing ? f.promptsFound : f.status === "succeeded" ? 1 : f.bytes}
              unit={writing ? "prompts" : "bytes"}
              active={f.status === "processing" || f.status === "uploaded"}
              failed={f.status === "failed"}
            />
          </div>
        );
      })}
    </div>
  );
}

function ProgressLine({ label, done, total, unit, active, failed }: { label: string; done: number; total: number; unit: "bytes" | "prompts"; active: boolean; failed?: boolean }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  return (
    <div>
      <div className="flex items-center justify-between text-xs text-slate-600">
        <span className="flex items-center gap-1.5">
          {active && <Loader2 className="h-3 w-3 animate-spin" />}
          {label}
        </span>
        <span>{unit === "bytes" ? `${formatBytes(done)} / ${formatBytes(total)}` : `${done} / ${total} prompts`}</span>
      </div>
      <div className="mt-1 h-2 overflow-hidden rounded bg-slate-100" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100} aria-label={label}>
        <div className={`h-full transition-all ${failed ? "bg-red-500" : "bg-brand-500"}`} style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
