import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentUser } from "../auth";
import { getDatabase } from "../db/client";
import type { AppUser } from "../services/users";

/** The signed-in user for a server component, or null. */
export async function pageUser(): Promise<AppUser | null> {
  return currentUser(await headers(), await getDatabase());
}

/** For app pages: the user, or a redirect to sign-in that comes back to `returnTo`. */
export async function requirePageUser(returnTo: string): Promise<AppUser> {
  const user = await pageUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}
