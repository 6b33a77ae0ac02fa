"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { api, ApiError } from "@/lib/api";

export function SaveSharedPrompt({ slug }: { slug: string }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save() {
    setPending(true);
    setError(null);
    try {
      const created = await api<{ id: string }>(`/api/shared/${encodeURIComponent(slug)}/save`, { method: "POST" });
      window.location.assign(`/prompts/${created.id}`);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not save the copy.");
      setPending(false);
    }
  }
  return (
    <div className="space-y-3">
      {error && <Alert>{error}</Alert>}
      <Button variant="primary" onClick={save} disabled={pending}>
        {pending ? "Saving…" : "Save a copy to my library"}
      </Button>
    </div>
  );
}
