import { and, count, eq, gte, isNull, or, gt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { importSessions, prompts, shares, users, type Plan } from "../db/schema";
import { ServiceError } from "../errors";
import { limitsOf, monthStart, PLAN_NAMES, planAbove, type PlanLimits } from "../plans";

type CountedLimit = "prompts" | "importsPerMonth" | "activeShares";

const NOUN: Record<CountedLimit, [string, string]> = {
  prompts: ["prompt", "prompts"],
  importsPerMonth: ["import a month", "imports a month"],
  activeShares: ["active share link", "active share links"],
};
const USED: Record<CountedLimit, string> = { prompts: "in your library", importsPerMonth: "this month", activeShares: "now" };
const n = (value: number) => value.toLocaleString("en");
const noun = (limit: CountedLimit, value: number) => NOUN[limit][value === 1 ? 0 : 1];
const HOW_TO_FREE: Record<CountedLimit, string> = {
  prompts: "Delete prompts you no longer need (and empty the trash)",
  importsPerMonth: "Wait until the 1st of next month",
  activeShares: "Revoke links you no longer need",
};

/**
 * Plan limits, enforced where the writes happen. Every check first locks the user's row (SELECT … FOR
 * UPDATE) inside the caller's transaction, so concurrent writes by one user are counted one after the
 * other: 50 parallel creates one below the limit leave exactly the limit.
 */
export class PlanLimiter {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  /** Must run inside a transaction: the lock lasts until it ends. */
  async lock(): Promise<{ plan: Plan; limits: PlanLimits }> {
    const [row] = await this.db.select({ plan: users.plan }).from(users).where(eq(users.id, this.userId)).for("update");
    const plan = row?.plan ?? "free";
    return { plan, limits: limitsOf(plan) };
  }

  async used(limit: CountedLimit): Promise<number> {
    if (limit === "prompts") {
      const [row] = await this.db.select({ n: count() }).from(prompts).where(eq(prompts.userId, this.userId));
      return Number(row?.n ?? 0);
    }
    if (limit === "importsPerMonth") {
      const [row] = await this.db
        .select({ n: count() })
        .from(importSessions)
        .where(and(eq(importSessions.userId, this.userId), gte(importSessions.createdAt, monthStart())));
      return Number(row?.n ?? 0);
    }
    const [row] = await this.db
      .select({ n: count() })
      .from(shares)
      .where(and(eq(shares.userId, this.userId), isNull(shares.revokedAt), or(isNull(shares.expiresAt), gt(shares.expiresAt, sql`now()`))));
    return Number(row?.n ?? 0);
  }

  /** How many more of `limit` the user may add now (null: unlimited, and `used` is not counted). Locks. */
  async remaining(limit: CountedLimit): Promise<{ remaining: number | null; plan: Plan; max: number | null; used: number }> {
    const { plan, limits } = await this.lock();
    const max = limits[limit];
    if (max === null) return { remaining: null, plan, max, used: 0 }; // nothing to count against
    const used = await this.used(limit);
    return { remaining: Math.max(0, max - used), plan, max, used };
  }

  /** Refuses (402) when adding `adding` would pass the limit. Locks. */
  async assert(limit: CountedLimit, adding = 1): Promise<void> {
    const { remaining, plan, max, used } = await this.remaining(limit);
    if (remaining === null || remaining >= adding) return;
    throw limitError(limit, plan, max!, used);
  }
}

export function limitError(limit: CountedLimit, plan: Plan, max: number, used: number): ServiceError {
  const next = planAbove(plan, limit, used + 1);
  const nextMax = next ? limitsOf(next)[limit] : undefined;
  const upgrade = next ? `, or upgrade to ${PLAN_NAMES[next]} (${nextMax === null || nextMax === undefined ? "unlimited" : n(nextMax)} ${NOUN[limit][1]})` : "";
  return new ServiceError(
    "limit_exceeded",
    `Your ${PLAN_NAMES[plan]} plan allows ${n(max)} ${noun(limit, max)}, and you have ${n(used)} ${USED[limit]}. ${HOW_TO_FREE[limit]}${upgrade}.`,
    { limit, plan, max, used, upgradeTo: next },
  );
}
