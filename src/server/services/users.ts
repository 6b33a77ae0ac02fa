import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { users, type Plan } from "../db/schema";

/** What the rest of the app knows about the signed-in person. Safe to send to their own browser. */
export type AppUser = {
  id: string;
  email: string | null;
  displayName: string | null;
  imageUrl: string | null;
  plan: Plan;
  isAdmin: boolean;
  onboardedAt: Date | null;
  createdAt: Date;
};

export const appUserColumns = {
  id: users.id,
  email: users.email,
  displayName: users.displayName,
  imageUrl: users.imageUrl,
  plan: users.plan,
  isAdmin: users.isAdmin,
  onboardedAt: users.onboardedAt,
  createdAt: users.createdAt,
};

export async function findAppUser(db: Database, id: string): Promise<AppUser | null> {
  const [row] = await db.select(appUserColumns).from(users).where(eq(users.id, id));
  return row ?? null;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
