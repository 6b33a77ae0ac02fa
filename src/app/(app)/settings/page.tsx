import type { Metadata } from "next";
import Link from "next/link";
import { AiKeyForm } from "@/components/settings/ai-key-form";
import { ProfileForm } from "@/components/settings/profile-form";
import { buttonClass } from "@/components/ui/button";
import { authMode } from "@/server/auth";
import { requirePageUser } from "@/server/http/page-user";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await requirePageUser("/settings");
  return (
    <div className="mx-auto max-w-2xl space-y-8">
      <h1 className="text-xl font-semibold">Settings</h1>
      <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
        <h2 className="font-medium">Profile</h2>
        <p className="text-sm text-slate-500">
          Signed in as {user.email ?? "—"}
          {authMode() === "clerk" ? " (managed by Clerk)" : ""}. Your display name appears on shared prompts only where you choose to show it.
        </p>
        <ProfileForm displayName={user.displayName ?? ""} />
      </section>
      <section id="ai-key" className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
        <h2 className="font-medium">Your AI key</h2>
        <p className="text-sm text-slate-500">
          Optimizations use PromptVault&apos;s AI up to your plan&apos;s monthly allowance, then your own OpenAI-compatible key. It is stored encrypted and never shown again.
        </p>
        <AiKeyForm />
      </section>
      <section className="space-y-3 rounded-xl border border-slate-200 bg-white p-5">
        <h2 className="font-medium">Setup</h2>
        <p className="text-sm text-slate-500">Change what you use AI for, import more history, or add starter templates.</p>
        <Link href="/onboarding?step=roles" className={buttonClass("secondary")}>
          Revisit the setup
        </Link>
      </section>
    </div>
  );
}
