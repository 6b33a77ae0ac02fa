import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { NavLinks } from "@/components/app-nav";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { authMode } from "@/server/auth";
import { requirePageUser } from "@/server/http/page-user";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requirePageUser("/library");
  // A new account sets itself up first instead of landing in an empty library.
  if (!user.onboardedAt) redirect("/onboarding");
  const clerk = authMode() === "clerk";
  const UserButton = clerk ? (await import("@clerk/nextjs")).UserButton : null;
  return (
    <div className="flex min-h-screen flex-col">
      <header className="sticky top-0 z-20 border-b border-slate-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4">
          <Link href="/library" className="font-semibold tracking-tight">
            Prompt<span className="text-brand-600">Vault</span>
          </Link>
          <NavLinks admin={user.isAdmin} />
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-600">
            <Link href="/settings" className="hidden hover:text-slate-900 sm:inline" data-testid="current-user">
              {user.displayName ?? user.email}
            </Link>
            {UserButton ? <UserButton /> : <SignOutButton />}
          </div>
        </div>
      </header>
      <div className="mx-auto w-full max-w-7xl flex-1 px-4 py-6">{children}</div>
    </div>
  );
}
