import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { users, webhookEvents } from "../db/schema";
import { getEnv } from "../env";
import { appUserColumns, normalizeEmail, type AppUser } from "./users";

/** The part of a Clerk user object we keep (same shape in the Backend API and in webhook payloads). */
export type ClerkUserData = {
  id: string;
  email_addresses?: { id: string; email_address: string }[];
  primary_email_address_id?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
  image_url?: string | null;
};

export type ClerkWebhookEvent = { type: string; data: ClerkUserData | { id?: string; deleted?: boolean } };

/**
 * Keeps our users table in step with Clerk. The row is created on a user's first request (so the app works
 * before the webhook arrives) and updated or deleted by webhooks. Deleting a Clerk user deletes their row
 * and, through foreign keys, everything they own (prompts, versions, shares, imports, usage, keys).
 */
export class ClerkUserService {
  constructor(private readonly db: Database) {}

  async findByClerkId(clerkId: string): Promise<AppUser | null> {
    const [row] = await this.db.select(appUserColumns).from(users).where(eq(users.clerkId, clerkId));
    return row ?? null;
  }

  async upsert(data: ClerkUserData): Promise<AppUser> {
    const primary = data.email_addresses?.find((e) => e.id === data.primary_email_address_id) ?? data.email_addresses?.[0];
    const email = primary ? normalizeEmail(primary.email_address) : null;
    const displayName = [data.first_name, data.last_name].filter(Boolean).join(" ") || data.username || null;
    const values = { clerkId: data.id, email, displayName, imageUrl: data.image_url ?? null };
    const env = getEnv();
    const isAdmin = email !== null && env.ADMIN_EMAILS.split(",").map(normalizeEmail).includes(email);
    try {
      // Its own (nested) transaction, so a unique violation rolls back to a savepoint inside a webhook's transaction.
      return await this.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({ ...values, plan: env.DEFAULT_PLAN, isAdmin })
          .onConflictDoUpdate({ target: users.clerkId, set: { email, displayName, imageUrl: values.imageUrl, updatedAt: sql`now()` } })
          .returning(appUserColumns);
        return row!;
      });
    } catch (error) {
      // The email already belongs to another row (say, a built-in account from before Clerk was switched
      // on): link that row to this Clerk user instead of creating a second one.
      if (!isUniqueViolation(error, "users_email_unique") || !email) throw error;
      const [row] = await this.db
        .update(users)
        .set({ clerkId: data.id, displayName, imageUrl: values.imageUrl, updatedAt: sql`now()` })
        .where(eq(users.email, email))
        .returning(appUserColumns);
      return row!;
    }
  }

  async deleteByClerkId(clerkId: string): Promise<boolean> {
    const rows = await this.db.delete(users).where(eq(users.clerkId, clerkId)).returning({ id: users.id });
    return rows.length > 0;
  }

  /**
   * Applies a verified webhook once: the svix message id is recorded in the same transaction, so a
   * redelivery is acknowledged without doing anything.
   */
  async handleWebhook(messageId: string, event: ClerkWebhookEvent): Promise<"processed" | "ignored" | "duplicate"> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(webhookEvents)
        .values({ provider: "clerk", eventId: messageId, type: event.type, payload: event })
        .onConflictDoNothing()
        .returning({ id: webhookEvents.id });
      if (inserted.length === 0) return "duplicate";
      const service = new ClerkUserService(tx);
      let outcome: "processed" | "ignored" = "processed";
      if ((event.type === "user.created" || event.type === "user.updated") && event.data.id) {
        await service.upsert(event.data as ClerkUserData);
      } else if (event.type === "user.deleted" && event.data.id) {
        await service.deleteByClerkId(event.data.id);
      } else {
        outcome = "ignored";
      }
      await tx.update(webhookEvents).set({ outcome, processedAt: sql`now()` }).where(eq(webhookEvents.id, inserted[0]!.id));
      return outcome;
    });
  }
}
