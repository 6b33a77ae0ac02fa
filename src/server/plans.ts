import type { Plan } from "./db/schema";

/**
 * Plans, defined in one place. `null` means unlimited. Enforced by the services (never only in the UI);
 * docs/PLANS.md shows the table to people.
 */
export type PlanLimits = {
  /** Prompts in the library (trash included: it is restorable). */
  prompts: number | null;
  importsPerMonth: number | null;
  importFileBytes: number;
  /** Optimizations paid by the platform's AI key per calendar month (UTC); past it, the user's own key. */
  platformOptimizationsPerMonth: number;
  activeShares: number | null;
  analyticsRetentionDays: number;
  apiAccess: boolean;
};

const MB = 1024 * 1024;

export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  free: { prompts: 1_000, importsPerMonth: 10, importFileBytes: 512 * MB, platformOptimizationsPerMonth: 10, activeShares: 10, analyticsRetentionDays: 30, apiAccess: false },
  pro: { prompts: 50_000, importsPerMonth: 200, importFileBytes: 2048 * MB, platformOptimizationsPerMonth: 500, activeShares: 500, analyticsRetentionDays: 365, apiAccess: true },
  enterprise: { prompts: null, importsPerMonth: null, importFileBytes: 2048 * MB, platformOptimizationsPerMonth: 5_000, activeShares: null, analyticsRetentionDays: 1825, apiAccess: true },
};

export const PLAN_NAMES: Record<Plan, string> = { free: "Free", pro: "Pro", enterprise: "Enterprise" };

export function limitsOf(plan: Plan): PlanLimits {
  return PLAN_LIMITS[plan] ?? PLAN_LIMITS.free;
}

/** The first instant of the current calendar month, UTC: monthly quotas reset then. */
export function monthStart(now: Date = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}
