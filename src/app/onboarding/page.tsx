import type { Metadata } from "next";
import Link from "next/link";
import { OnboardingWizard } from "@/components/onboarding/onboarding-wizard";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { MODELS, ROLES, TOOLS } from "@/server/onboarding/starters";
import { OnboardingService } from "@/server/services/onboarding-service";

export const metadata: Metadata = { title: "Set up your vault" };

export default async function OnboardingPage({ searchParams }: { searchParams: Promise<{ step?: string }> }) {
  const user = await requirePageUser("/onboarding");
  const state = await new OnboardingService(await getDatabase(), user.id).state();
  const { step } = await searchParams;
  return (
    <main className="mx-auto max-w-3xl px-4 py-10">
      <Link href="/library" className="text-lg font-semibold tracking-tight">
        Prompt<span className="text-brand-600">Vault</span>
      </Link>
      <OnboardingWizard
        initial={state}
        startAt={step === "roles" ? "roles" : undefined}
        roles={ROLES.map((r) => ({ ...r }))}
        tools={[...TOOLS]}
        models={[...MODELS]}
        name={user.displayName}
      />
    </main>
  );
}
