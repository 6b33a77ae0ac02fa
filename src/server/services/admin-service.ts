import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { importSessions, prompts, usageEvents, users, webhookEvents, PLANS } from "../db/schema";
import { isStripeConfigured } from "../env";
import { ServiceError, notFound } from "../errors";
import { monthStart } from "../plans";
import { parseInput, requireId } from "./input";
import type { AppUser } from "./users";

const setPlanSchema = z.object({ plan: z.enum(PLANS) });

export type AdminUserRow = {
  id: string;
  email: string | null;
  displayName: string | null;
  plan: string;
  isAdmin: boolean;
  createdAt: Date;
  prompts: number;
  importsThisMonth: number;
  optimizationsThisMonth: number;
  costThisMonthMicros: number;
};

/** The admin area: users with plan and usage, plan changes (self-hosted), the webhook log. Admins only. */
export class AdminService {
  constructor(
    private readonly db: Database,
    private readonly actor: AppUser,
  ) {
    if (!actor.isAdmin) throw new ServiceError("forbidden", "This area is for administrators.");
  }

  /** The newest accounts first (`only`: just that one). */
  async users(limit = 200, only?: string): Promise<AdminUserRow[]> {
    const since = monthStart();
    // Qualified on purpose: in a one-table select Drizzle writes columns bare, and a bare "id" inside these
    // subqueries would mean the inner table's own id (every count would be 0).
    const userId = sql`${users}.${sql.identifier(users.id.name)}`;
    return this.db
      .select({
        id: users.id,
        email: users.email,
        displayName: users.displayName,
        plan: users.plan,
        isAdmin: users.isAdmin,
        createdAt: users.createdAt,
        prompts: sql<number>`(select count(*)::int from ${prompts} where ${prompts.userId} = ${userId})`,
        importsThisMonth: sql<number>`(select count(*)::int from ${importSessions} where ${importSessions.userId} = ${userId} and ${importSessions.createdAt} >= ${since})`,
        optimizationsThisMonth: sql<number>`(select count(*)::int from ${usageEvents} where ${usageEvents.userId} = ${userId} and ${usageEvents.feature} = 'optimize' and ${usageEvents.occurredAt} >= ${since})`,
        costThisMonthMicros: sql<number>`(select coalesce(sum(${usageEvents.costMicros}), 0)::bigint::float8 from ${usageEvents} where ${usageEvents.userId} = ${userId} and ${usageEvents.occurredAt} >= ${since})`,
      })
      .from(users)
      .where(only ? eq(users.id, only) : undefined)
      .orderBy(desc(users.createdAt))
      .limit(limit);
  }

  /** Self-hosted instances change plans here; with Stripe on, Stripe's webhooks own the plan. */
  async setPlan(rawUserId: string, rawInput: unknown): Promise<AdminUserRow> {
    const userId = requireId(rawUserId, "User");
    const input = parseInput(setPlanSchema, rawInput);
    if (isStripeConfigured()) throw new ServiceError("conflict", "Billing is handled by Stripe on this server: change the subscription in Stripe instead.");
    const [row] = await this.db.update(users).set({ plan: input.plan, updatedAt: sql`now()` }).where(eq(users.id, userId)).returning({ id: users.id });
    if (!row) throw notFound("User");
    // Just this row: past the newest 10,000 accounts a search of the list would come back empty.
    const [updated] = await this.users(1, userId);
    return updated!;
  }

  async webhookEvents(limit = 100) {
    return this.db
      .select({
        id: webhookEvents.id,
        provider: webhookEvents.provider,
        eventId: webhookEvents.eventId,
        type: webhookEvents.type,
        outcome: webhookEvents.outcome,
        error: webhookEvents.error,
        receivedAt: webhookEvents.receivedAt,
        processedAt: webhookEvents.processedAt,
      })
      .from(webhookEvents)
      .orderBy(desc(webhookEvents.receivedAt))
      .limit(limit);
  }
}
