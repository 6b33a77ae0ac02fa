import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { CredentialsForm } from "@/components/auth/credentials-form";
import { authMode } from "@/server/auth";
import { pageUser } from "@/server/http/page-user";
import { safeNext } from "../../safe-next";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  if (authMode() === "clerk") {
    const { SignIn } = await import("@clerk/nextjs");
    return <SignIn forceRedirectUrl={next} signUpUrl="/sign-up" />;
  }
  if (await pageUser()) redirect(next);
  return <CredentialsForm mode="sign-in" next={next} />;
}
