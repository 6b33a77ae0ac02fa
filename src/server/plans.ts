import { getEnv } from "./env";
import type { Plan } from "./db/schema";

/**
 * Plans, defined in one place (docs/PLANS.md shows the table). `null` means unlimited. Enforced by the
 * services — never only in the UI. Self-hosters can change any limit with PLAN_LIMITS (JSON), e.g.
 * `{"free":{"prompts":100000}}`.
 */
export type PlanLimits = {
  /** Prompts in the library (the trash counts: its prompts can be restored). */
  prompts: number | null;
  importsPerMonth: number | null;
  importFileBytes: number;
  /** Optimizations paid by the platform's AI key per calendar month (UTC); past it, the user's own key. */
  platformOptimizationsPerMonth: number;
  /** Share links that are not revoked or expired. */
  activeShares: number | null;
  analyticsRetentionDays: number;
  apiAccess: boolean;
};

const MB = 1024 * 1024;

export const DEFAULT_PLAN_LIMITS: Record<Plan, PlanLimits> = {
  free: { prompts: 500, importsPerMonth: 10, importFileBytes: 512 * MB, platformOptimizationsPerMonth: 10, activeShares: 10, analyticsRetentionDays: 30, apiAccess: false },
  pro: { prompts: 50_000, importsPerMonth: 200, importFileBytes: 2048 * MB, platformOptimizationsPerMonth: 500, activeShares: 500, analyticsRetentionDays: 365, apiAccess: true },
  enterprise: { prompts: null, importsPerMonth: null, importFileBytes: 2048 * MB, platformOptimizationsPerMonth: 5_000, activeShares: null, analyticsRetentionDays: 1825, apiAccess: true },
};

export const PLAN_NAMES: Record<Plan, string> = { free: "Free", pro: "Pro", enterprise: "Enterprise" };
export const PLAN_ORDER: readonly Plan[] = ["free", "pro", "enterprise"];

export const LIMIT_LABELS: Record<keyof PlanLimits, string> = {
  prompts: "Prompts in your library",
  importsPerMonth: "Imports per month",
  importFileBytes: "Largest import file",
  platformOptimizationsPerMonth: "AI optimizations per month (included)",
  activeShares: "Active share links",
  analyticsRetentionDays: "Usage history kept (days)",
  apiAccess: "API access",
};

let overrides: { raw: string | undefined; parsed: Partial<Record<Plan, Partial<PlanLimits>>> } | undefined;

function planOverrides(): Partial<Record<Plan, Partial<PlanLimits>>> {
  const raw = getEnv().PLAN_LIMITS;
  if (overrides && overrides.raw === raw) return overrides.parsed;
  let parsed: Partial<Record<Plan, Partial<PlanLimits>>> = {};
  if (raw) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error('PLAN_LIMITS must be JSON, e.g. {"free":{"prompts":1000}}');
    }
  }
  overrides = { raw, parsed };
  return parsed;
}

export function limitsOf(plan: Plan): PlanLimits {
  return { ...(DEFAULT_PLAN_LIMITS[plan] ?? DEFAULT_PLAN_LIMITS.free), ...planOverrides()[plan] };
}

/** The first instant of the current calendar month, UTC: monthly quotas reset then. */
export function monthStart(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

/** The smallest plan that raises a limit above `needed`, to name in "upgrade to …" messages. */
export function planAbove(plan: Plan, key: "prompts" | "importsPerMonth" | "activeShares" | "platformOptimizationsPerMonth", needed: number): Plan | null {
  for (const candidate of PLAN_ORDER.slice(PLAN_ORDER.indexOf(plan) + 1)) {
    const limit = limitsOf(candidate)[key];
    if (limit === null || limit >= needed) return candidate;
  }
  return null;
}
