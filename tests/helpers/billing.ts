import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Database } from "../../src/server/db/client";
import { subscriptions, users, webhookEvents } from "../../src/server/db/schema";
import { FakeStripe } from "./fake-stripe";
import { call } from "./http";
import * as stripeWebhookRoute from "../../src/app/api/webhooks/stripe/route";
import { useEnvVars } from "./env-vars";

export * as stripeWebhookRoute from "../../src/app/api/webhooks/stripe/route";
export * as billingRoute from "../../src/app/api/billing/route";
export * as checkoutRoute from "../../src/app/api/billing/checkout/route";
export * as portalRoute from "../../src/app/api/billing/portal/route";
export * as adminUsersRoute from "../../src/app/api/admin/users/route";
export * as adminUserRoute from "../../src/app/api/admin/users/[id]/route";
export * as adminWebhooksRoute from "../../src/app/api/admin/webhooks/route";

/** A webhook signing secret shaped like Stripe's, and prices shaped like Stripe's price ids. */
export const WEBHOOK_SECRET = `whsec_${randomBytes(24).toString("hex")}`;
export const SECRET_KEY = `sk_test_${randomBytes(24).toString("hex")}`;
export const PRICES = {
  proMonthly: "price_1PvProMonthlyTEST",
  proYearly: "price_1PvProYearlyTEST",
  enterpriseMonthly: "price_1PvEntMonthlyTEST",
} as const;

const ENV_KEYS = [
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_PRICE_PRO_MONTHLY",
  "STRIPE_PRICE_PRO_YEARLY",
  "STRIPE_PRICE_ENTERPRISE_MONTHLY",
  "STRIPE_PRICE_ENTERPRISE_YEARLY",
  "STRIPE_API_URL",
  "PLAN_LIMITS",
  "ADMIN_EMAILS",
  "APP_URL",
  "DEFAULT_PLAN",
] as const;
type EnvKey = (typeof ENV_KEYS)[number];
export type EnvVars = Partial<Record<EnvKey, string | undefined>>;

/**
 * Sets billing-related environment variables for one test (through the one env module) and restores them
 * afterwards. Every test starts with Stripe off and no PLAN_LIMITS override.
 */
export function useBillingEnv(): (vars: EnvVars) => void {
  return useEnvVars(ENV_KEYS);
}

/** Stripe configured the way an operator would: keys, the webhook secret, three prices (no enterprise yearly). */
export function stripeEnv(extra: EnvVars = {}): EnvVars {
  return {
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_PRICE_PRO_MONTHLY: PRICES.proMonthly,
    STRIPE_PRICE_PRO_YEARLY: PRICES.proYearly,
    STRIPE_PRICE_ENTERPRISE_MONTHLY: PRICES.enterpriseMonthly,
    ...extra,
  };
}

/** One fake Stripe server per test file; its records are cleared after every test. */
export function useFakeStripe(): FakeStripe {
  const fake = new FakeStripe();
  beforeAll(() => fake.start());
  afterAll(() => fake.stop());
  afterEach(() => fake.reset());
  return fake;
}

// ---- Events, shaped like the ones Stripe sends (API version 2025-03-31.basil and later) ----

const rid = (prefix: string) => `${prefix}_${randomBytes(12).toString("base64url")}`;

export function stripeEvent(type: string, object: Record<string, unknown>, options: { id?: string; created?: number; previous?: Record<string, unknown> } = {}) {
  return {
    id: options.id ?? rid("evt"),
    object: "event",
    api_version: "2025-08-27.basil",
    created: options.created ?? Math.floor(Date.now() / 1000),
    data: { object, ...(options.previous && { previous_attributes: options.previous }) },
    livemode: false,
    pending_webhooks: 1,
    request: { id: rid("req"), idempotency_key: null },
    type,
  };
}

export function checkoutCompleted(s: { userId: string; customer: string; subscription: string; plan?: string }, options: { created?: number; id?: string } = {}) {
  return stripeEvent(
    "checkout.session.completed",
    {
      id: rid("cs_test"),
      object: "checkout.session",
      mode: "subscription",
      status: "complete",
      payment_status: "paid",
      client_reference_id: s.userId,
      customer: s.customer,
      subscription: s.subscription,
      metadata: { userId: s.userId, plan: s.plan ?? "pro" },
      amount_total: 1200,
      currency: "usd",
      success_url: "http://localhost:3000/plan?checkout=success",
      cancel_url: "http://localhost:3000/plan?checkout=cancelled",
      livemode: false,
    },
    options,
  );
}

export type SubscriptionFields = {
  id: string;
  customer: string;
  price: string;
  status?: string;
  cancelAtPeriodEnd?: boolean;
  periodEnd?: number;
  metadata?: Record<string, string>;
};

export function subscriptionObject(s: SubscriptionFields) {
  const periodEnd = s.periodEnd ?? Math.floor(Date.now() / 1000) + 30 * 86_400;
  return {
    id: s.id,
    object: "subscription",
    customer: s.customer,
    status: s.status ?? "active",
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    canceled_at: null,
    collection_method: "charge_automatically",
    created: periodEnd - 30 * 86_400,
    currency: "usd",
    livemode: false,
    metadata: s.metadata ?? {},
    items: {
      object: "list",
      data: [
        {
          id: rid("si"),
          object: "subscription_item",
          created: periodEnd - 30 * 86_400,
          current_period_start: periodEnd - 30 * 86_400,
          current_period_end: periodEnd,
          price: { id: s.price, object: "price", active: true, currency: "usd", product: "prod_PromptVault", recurring: { interval: "month", interval_count: 1 }, type: "recurring", unit_amount: 1200 },
          quantity: 1,
          subscription: s.id,
        },
      ],
      has_more: false,
      total_count: 1,
      url: `/v1/subscription_items?subscription=${s.id}`,
    },
  };
}

export function subscriptionEvent(type: "created" | "updated" | "deleted", s: SubscriptionFields, options: { created?: number; id?: string } = {}) {
  return stripeEvent(`customer.subscription.${type}`, subscriptionObject({ ...s, status: s.status ?? (type === "deleted" ? "canceled" : "active") }), options);
}

export function invoiceEvent(type: "invoice.payment_failed" | "invoice.paid", s: { customer: string; subscription: string }, options: { created?: number; id?: string } = {}) {
  const paid = type === "invoice.paid";
  return stripeEvent(
    type,
    {
      id: rid("in"),
      object: "invoice",
      customer: s.customer,
      status: paid ? "paid" : "open",
      amount_due: 1200,
      amount_paid: paid ? 1200 : 0,
      amount_remaining: paid ? 0 : 1200,
      attempt_count: 1,
      attempted: true,
      billing_reason: "subscription_cycle",
      currency: "usd",
      livemode: false,
      parent: { type: "subscription_details", subscription_details: { subscription: s.subscription, metadata: {} } },
    },
    options,
  );
}

export type DeliverOptions = {
  secret?: string;
  /** Unix seconds the signature says it was made at (default: now). */
  timestamp?: number;
  /** Changes the body after signing. */
  tamper?: (payload: string) => string;
  /** A header to send instead of a signed one (or null: no header at all). */
  header?: string | null;
};

/** Signs a payload with the official library's test helper, as Stripe does, and posts it to the route. */
export function deliver(event: unknown, options: DeliverOptions = {}) {
  const payload = JSON.stringify(event);
  const header =
    options.header !== undefined
      ? options.header
      : Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? WEBHOOK_SECRET, ...(options.timestamp !== undefined && { timestamp: options.timestamp }) });
  return call(stripeWebhookRoute.POST, "POST", "/api/webhooks/stripe", {
    rawBody: options.tamper ? options.tamper(payload) : payload,
    headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)", ...(header !== null && { "stripe-signature": header }) },
  });
}

/** What a webhook can change: the user's plan, their subscription row and the event log. */
export async function billingState(db: Database, userId: string) {
  const [user] = await db.select({ plan: users.plan }).from(users).where(eq(users.id, userId));
  const subs = await db.select().from(subscriptions).where(eq(subscriptions.userId, userId));
  const events = await db.select().from(webhookEvents).where(eq(webhookEvents.provider, "stripe"));
  return { plan: user?.plan, subscriptions: subs, events };
}
