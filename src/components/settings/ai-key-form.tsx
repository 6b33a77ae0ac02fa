"use client";

import { useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import { timeAgo } from "@/lib/format";

type KeyView = { last4: string; baseUrl: string | null; model: string | null; lastTestedAt: string | null; updatedAt: string };

/** Bring your own OpenAI-compatible key: stored encrypted; the browser only ever sees its last four characters. */
export function AiKeyForm() {
  const [key, setKey] = useState<KeyView | null | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    api<{ key: KeyView | null }>("/api/settings/ai-key").then((r) => setKey(r.key));
  }, []);

  async function run(action: () => Promise<void>) {
    setPending(true);
    setStatus(null);
    try {
      await action();
    } catch (e) {
      setStatus({ tone: "error", text: e instanceof ApiError ? e.message : "Something went wrong." });
    } finally {
      setPending(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(async () => {
      const r = await api<{ key: KeyView }>("/api/settings/ai-key", {
        method: "PUT",
        body: { apiKey: String(form.get("apiKey") ?? ""), baseUrl: String(form.get("baseUrl") ?? "") || null, model: String(form.get("model") ?? "") || null },
      });
      setKey(r.key);
      setEditing(false);
      setStatus({ tone: "success", text: "Key checked and saved." });
    });
  }

  if (key === undefined) return <p className="text-sm text-slate-500">Loading…</p>;
  return (
    <div className="space-y-3" data-testid="ai-key">
      {status && <Alert tone={status.tone}>{status.text}</Alert>}
      {key && !editing ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="rounded bg-slate-100 px-2 py-1 font-mono">••••{key.last4}</span>
          <span className="text-slate-500">
            {key.baseUrl ?? "api.openai.com"}
            {key.model ? ` · ${key.model}` : ""} · {key.lastTestedAt ? `checked ${timeAgo(key.lastTestedAt)}` : "not checked"}
          </span>
          <Button size="sm" onClick={() => run(async () => { setKey((await api<{ key: KeyView }>("/api/settings/ai-key/test", { method: "POST" })).key); setStatus({ tone: "success", text: "The key works." }); })} disabled={pending}>
            Test
          </Button>
          <Button size="sm" onClick={() => setEditing(true)}>
            Replace
          </Button>
          <Button size="sm" variant="danger" onClick={() => run(async () => { await api("/api/settings/ai-key", { method: "DELETE" }); setKey(null); })} disabled={pending}>
            Delete
          </Button>
        </div>
      ) : (
        <form onSubmit={save} className="space-y-3">
          <Field label="API key" htmlFor="apiKey">
            <Input id="apiKey" name="apiKey" type="password" autoComplete="off" required placeholder="sk-…" />
          </Field>
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Base URL (optional)" htmlFor="baseUrl" hint="For any OpenAI-compatible server, e.g. http://localhost:11434/v1">
              <Input id="baseUrl" name="baseUrl" type="url" placeholder="https://api.openai.com/v1" defaultValue={key?.baseUrl ?? ""} />
            </Field>
            <Field label="Model (optional)" htmlFor="model">
              <Input id="model" name="model" placeholder="gpt-4o-mini" defaultValue={key?.model ?? ""} />
            </Field>
          </div>
          <div className="flex gap-2">
            <Button type="submit" variant="primary" disabled={pending}>
              {pending ? "Checking…" : "Check and save"}
            </Button>
            {key && <Button onClick={() => setEditing(false)}>Cancel</Button>}
          </div>
        </form>
      )}
    </div>
  );
}
