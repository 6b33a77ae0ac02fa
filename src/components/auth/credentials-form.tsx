"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";

/** Built-in accounts' sign-in / sign-up form. */
export function CredentialsForm({ mode, next }: { mode: "sign-in" | "sign-up"; next: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const signUp = mode === "sign-up";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    try {
      await api(`/api/auth/${mode}`, {
        body: { email: form.get("email"), password: form.get("password"), ...(signUp && { displayName: form.get("displayName") || undefined }) },
      });
      // A full navigation so server components see the new session cookie.
      window.location.assign(next);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not reach the server. Check your connection and try again.");
      setPending(false);
    }
  }

  const otherHref = `${signUp ? "/sign-in" : "/sign-up"}${next !== "/library" ? `?next=${encodeURIComponent(next)}` : ""}`;
  return (
    <div className="w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h1 className="text-lg font-semibold">{signUp ? "Create your account" : "Sign in to PromptVault"}</h1>
      <form onSubmit={submit} className="mt-5 space-y-4" noValidate>
        {error && <Alert>{error}</Alert>}
        {signUp && (
          <Field label="Name (optional)" htmlFor="displayName">
            <Input id="displayName" name="displayName" autoComplete="name" maxLength={80} />
          </Field>
        )}
        <Field label="Email" htmlFor="email">
          <Input id="email" name="email" type="email" autoComplete="email" required />
        </Field>
        <Field label="Password" htmlFor="password" hint={signUp ? "At least 8 characters." : undefined}>
          <Input id="password" name="password" type="password" autoComplete={signUp ? "new-password" : "current-password"} required minLength={signUp ? 8 : undefined} />
        </Field>
        <Button type="submit" variant="primary" className="w-full" disabled={pending}>
          {pending ? "Please wait…" : signUp ? "Create account" : "Sign in"}
        </Button>
      </form>
      <p className="mt-5 text-center text-sm text-slate-600">
        {signUp ? "Already have an account?" : "New to PromptVault?"}{" "}
        <Link href={otherHref} className="font-medium text-brand-600 hover:underline">
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </div>
  );
}
