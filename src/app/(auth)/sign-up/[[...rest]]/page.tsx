import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/auth/credentials-form";
import { authMode } from "@/server/auth";
import { pageUser } from "@/server/http/page-user";
import { safeNext } from "../../safe-next";

export const metadata: Metadata = { title: "Create your account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (authMode() === "clerk") {
    const { SignUp } = await import("@clerk/nextjs");
    return <SignUp forceRedirectUrl={next} signInUrl="/sign-in" />;
  }
  if (await pageUser()) redirect(next);
  return <CredentialsForm mode="sign-up" next={next} />;
}
