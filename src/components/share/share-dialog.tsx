"use client";

import { Link2 } from "lucide-react";
import { useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Modal } from "@/components/ui/modal";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Field, Input, Select } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import { timeAgo } from "@/lib/format";

export type ShareLink = {
  id: string;
  slug: string;
  version: number | "latest";
  expiresAt: string | null;
  maxViews: number | null;
  viewCount: number;
  allowCopy: boolean;
  showAuthor: boolean;
  noindex: boolean;
  state: "active" | "expired" | "exhausted" | "revoked" | "unavailable";
  createdAt: string;
};

export const STATE_LABEL: Record<ShareLink["state"], string> = {
  active: "Active",
  expired: "Expired",
  exhausted: "View limit reached",
  revoked: "Revoked",
  unavailable: "Prompt in trash",
};

export function shareUrl(slug: string): string {
  return `${window.location.origin}/s/${slug}`;
}

/** Create a public link to this prompt (latest or a pinned version), and manage its existing links. */
export function ShareDialog({ promptId, currentVersion, open, onClose }: { promptId: string; currentVersion: number; open: boolean; onClose: () => void }) {
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<ShareLink | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (!open) return;
    setCreated(null);
    api<{ shares: ShareLink[] }>(`/api/shares?promptId=${promptId}`)
      .then((r) => setLinks(r.shares))
      .catch(() => setError("Could not load this prompt's links."));
  }, [open, promptId]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      const version = form.get("version") === "latest" ? "latest" : Number(form.get("version"));
      const expires = String(form.get("expiresAt") ?? "");
      const maxViews = String(form.get("maxViews") ?? "");
      const link = await api<ShareLink>("/api/shares", {
        body: {
          promptId,
          version,
          expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
          maxViews: maxViews ? Number(maxViews) : null,
          allowCopy: form.get("allowCopy") === "on",
          showAuthor: form.get("showAuthor") === "on",
          noindex: form.get("noindex") === "on",
        },
      });
      setCreated(link);
      setLinks((current) => [link, ...(current ?? [])]);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not create the link.");
    } finally {
      setPending(false);
    }
  }

  async function revoke(id: string) {
    const link = await api<ShareLink>(`/api/shares/${id}`, { method: "DELETE" });
    setLinks((current) => current?.map((l) => (l.id === id ? link : l)) ?? null);
  }

  return (
    <Modal open={open} onClose={onClose} label="Share this prompt" title="Share this prompt" width="max-w-xl">
      {error && <Alert>{error}</Alert>}
      {created ? (
        <div className="space-y-2" data-testid="new-share-link">
          <p className="text-sm text-slate-600">Anyone with this link can see the prompt{created.maxViews ? ` (${created.maxViews} views)` : ""}:</p>
          <div className="flex gap-2">
            <Input readOnly value={shareUrl(created.slug)} aria-label="Share link" onFocus={(e) => e.target.select()} />
            <CopyButton text={shareUrl(created.slug)} label="Copy link" />
          </div>
        </div>
      ) : (
        <form onSubmit={create} className="space-y-3">
          <div className="grid gap-3 sm:grid-cols-3">
            <Field label="Version" htmlFor="share-version">
              <Select id="share-version" name="version" defaultValue="latest">
                <option value="latest">Always the latest</option>
                {Array.from({ length: currentVersion }, (_, i) => currentVersion - i).map((n) => (
                  <option key={n} value={n}>
                    Version {n}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Expires on" htmlFor="share-expires" hint="Optional">
              <Input id="share-expires" name="expiresAt" type="date" min={new Date().toISOString().slice(0, 10)} />
            </Field>
            <Field label="View limit" htmlFor="share-views" hint="Optional">
              <Input id="share-views" name="maxViews" type="number" min={1} placeholder="Unlimited" />
            </Field>
          </div>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="allowCopy" defaultChecked /> Let signed-in viewers save a copy
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="showAuthor" /> Show my display name
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="noindex" /> Keep the page out of search engines
          </label>
          <Button type="submit" variant="primary" disabled={pending}>
            <Link2 className="h-4 w-4" /> {pending ? "Creating…" : "Create link"}
          </Button>
        </form>
      )}
      {links && links.length > 0 && (
        <div>
          <h3 className="mb-2 text-sm font-medium text-slate-700">Links to this prompt</h3>
          <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 text-sm" data-testid="share-links">
            {links.map((l) => (
              <li key={l.id} className="flex items-center gap-2 px-3 py-2">
                <div className="min-w-0 flex-1">
                  <a href={`/s/${l.slug}`} target="_blank" rel="noreferrer" className="block truncate font-mono text-xs text-brand-700 hover:underline">
                    /s/{l.slug}
                  </a>
                  <p className="text-xs text-slate-500">
                    {l.version === "latest" ? "Latest" : `Version ${l.version}`} · {l.viewCount}
                    {l.maxViews ? `/${l.maxViews}` : ""} views · {STATE_LABEL[l.state]} · created {timeAgo(l.createdAt)}
                  </p>
                </div>
                {l.state === "active" && (
                  <Button size="sm" variant="danger" onClick={() => revoke(l.id)}>
                    Revoke
                  </Button>
                )}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Modal>
  );
}
