import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { users, type Plan } from "../db/schema";
import { parseInput } from "./input";

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

const profileSchema = z.object({ displayName: z.string().trim().max(80).nullable() });

/** The signed-in person's own profile (the display name shown on shares they opt in to). */
export class ProfileService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  async update(rawInput: unknown): Promise<AppUser> {
    const input = parseInput(profileSchema, rawInput);
    const [row] = await this.db
      .update(users)
      .set({ displayName: input.displayName || null, updatedAt: sql`now()` })
      .where(eq(users.id, this.userId))
      .returning(appUserColumns);
    return row!;
  }
}
