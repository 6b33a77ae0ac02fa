"use client";

import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";

export function ProfileForm({ displayName }: { displayName: string }) {
  const [value, setValue] = useState(displayName);
  const [status, setStatus] = useState<{ tone: "success" | "error"; text: string } | null>(null);
  async function save(event: FormEvent) {
    event.preventDefault();
    try {
      await api("/api/me", { method: "PATCH", body: { displayName: value.trim() || null } });
      setStatus({ tone: "success", text: "Saved." });
    } catch (e) {
      setStatus({ tone: "error", text: e instanceof ApiError ? e.message : "Could not save." });
    }
  }
  return (
    <form onSubmit={save} className="space-y-3">
      {status && <Alert tone={status.tone}>{status.text}</Alert>}
      <Field label="Display name" htmlFor="displayName">
        <Input id="displayName" value={value} onChange={(e) => setValue(e.target.value)} maxLength={80} />
      </Field>
      <Button type="submit" variant="primary">
        Save
      </Button>
    </form>
  );
}
