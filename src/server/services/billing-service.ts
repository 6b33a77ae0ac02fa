import { and, count, eq, gte, sql } from "drizzle-orm";
import type Stripe from "stripe";
import { z } from "zod";
import type { Database } from "../db/client";
import { subscriptions, usageEvents, users, webhookEvents, type Plan } from "../db/schema";
import { offeredPrices, planForPrice, priceIdFor, stripeClient, type Interval } from "../billing/stripe";
import { isStripeConfigured } from "../env";
import { ServiceError, notFound } from "../errors";
import { limitsOf, monthStart, PLAN_ORDER, type PlanLimits } from "../plans";
import { parseInput, uuidSchema } from "./input";
import { PlanLimiter } from "./plan-limiter";

export type PlanOverview = {
  plan: Plan;
  limits: PlanLimits;
  usage: { prompts: number; importsThisMonth: number; activeShares: number; platformOptimizationsThisMonth: number };
  plans: { plan: Plan; limits: PlanLimits }[];
  billing: { enabled: boolean; prices: { plan: Plan; interval: Interval }[]; subscription: { status: string; plan: string; currentPeriodEnd: Date | null; cancelAtPeriodEnd: boolean } | null };
};

const checkoutSchema = z.object({ plan: z.enum(["pro", "enterprise"]), interval: z.enum(["month", "year"]).default("month") });

/** The person's plan, usage against each limit, and Stripe checkout / customer portal. */
export class BillingService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  async overview(): Promise<PlanOverview> {
    const [user] = await this.db.select({ plan: users.plan }).from(users).where(eq(users.id, this.userId));
    if (!user) throw notFound("Account");
    const limiter = new PlanLimiter(this.db, this.userId);
    const [prompts, importsThisMonth, activeShares, [optimizations], [subscription]] = await Promise.all([
      limiter.used("prompts"),
      limiter.used("importsPerMonth"),
      limiter.used("activeShares"),
      this.db
        .select({ n: count() })
        .from(usageEvents)
        .where(and(eq(usageEvents.userId, this.userId), eq(usageEvents.feature, "optimize"), eq(usageEvents.keySource, "platform"), eq(usageEvents.outcome, "success"), gte(usageEvents.occurredAt, monthStart()))),
      this.db.select().from(subscriptions).where(eq(subscriptions.userId, this.userId)),
    ]);
    const enabled = isStripeConfigured();
    return {
      plan: user.plan,
      limits: limitsOf(user.plan),
      usage: { prompts, importsThisMonth, activeShares, platformOptimizationsThisMonth: Number(optimizations?.n ?? 0) },
      plans: PLAN_ORDER.map((plan) => ({ plan, limits: limitsOf(plan) })),
      billing: {
        enabled,
        prices: enabled ? offeredPrices().map(({ plan, interval }) => ({ plan, interval })) : [],
        subscription: subscription
          ? { status: subscription.status, plan: subscription.plan, currentPeriodEnd: subscription.currentPeriodEnd, cancelAtPeriodEnd: subscription.cancelAtPeriodEnd }
          : null,
      },
    };
  }

  /** A Stripe Checkout session for a subscription; the webhook, not this call, changes the plan. */
  async checkout(rawInput: unknown, origin: string): Promise<{ url: string }> {
    this.requireBilling();
    const input = parseInput(checkoutSchema, rawInput);
    const price = priceIdFor(input.plan, input.interval);
    if (!price) throw new ServiceError("invalid", `The ${input.plan} plan is not sold ${input.interval === "year" ? "yearly" : "monthly"} here.`);
    const stripe = await stripeClient();
    const customer = await this.customerId(stripe);
    const session = await viaStripe("open a checkout page", () =>
      stripe.checkout.sessions.create({
        mode: "subscription",
        customer,
        client_reference_id: this.userId,
        line_items: [{ price, quantity: 1 }],
        metadata: { userId: this.userId, plan: input.plan },
        subscription_data: { metadata: { userId: this.userId, plan: input.plan } },
        success_url: `${origin}/plan?checkout=success`,
        cancel_url: `${origin}/plan?checkout=cancelled`,
        allow_promotion_codes: true,
      }),
    );
    if (!session.url) throw new ServiceError("unavailable", "Stripe did not return a checkout page. Try again.");
    return { url: session.url };
  }

  /** Stripe's customer portal: change plan, card, cancel. */
  async portal(origin: string): Promise<{ url: string }> {
    this.requireBilling();
    const [row] = await this.db.select({ customer: subscriptions.stripeCustomerId, status: subscriptions.status }).from(subscriptions).where(eq(subscriptions.userId, this.userId));
    // "none": a customer was created for a checkout that was never paid — there is nothing to manage yet.
    if (!row || row.status === "none") throw new ServiceError("conflict", "You have no subscription yet: choose a plan first.");
    const stripe = await stripeClient();
    const session = await viaStripe("open the billing portal", () => stripe.billingPortal.sessions.create({ customer: row.customer, return_url: `${origin}/plan` }));
    return { url: session.url };
  }

  private requireBilling() {
    if (!isStripeConfigured()) throw new ServiceError("not_configured", "Billing is not enabled on this server; plans are managed by its administrator.");
  }

  /** One Stripe customer per user, remembered in `subscriptions` (status "none" until a subscription exists). */
  private async customerId(stripe: Stripe): Promise<string> {
    const [row] = await this.db.select({ customer: subscriptions.stripeCustomerId }).from(subscriptions).where(eq(subscriptions.userId, this.userId));
    if (row) return row.customer;
    const [user] = await this.db.select({ email: users.email, name: users.displayName }).from(users).where(eq(users.id, this.userId));
    // Two checkouts started at once ask Stripe with the same idempotency key, so they get the same customer
    // (Stripe keeps keys for 24 hours); the first row stored wins in any case.
    const customer = await viaStripe("open a checkout page", () =>
      stripe.customers.create({ email: user?.email ?? undefined, name: user?.name ?? undefined, metadata: { userId: this.userId } }, { idempotencyKey: `promptvault-customer-${this.userId}` }),
    );
    await this.db
      .insert(subscriptions)
      .values({ userId: this.userId, stripeCustomerId: customer.id, plan: "free", status: "none" })
      .onConflictDoNothing();
    const [saved] = await this.db.select({ customer: subscriptions.stripeCustomerId }).from(subscriptions).where(eq(subscriptions.userId, this.userId));
    return saved!.customer;
  }
}

/** A failed Stripe call is reported as such (503), not as a generic 500; the operator's log gets Stripe's reason. */
async function viaStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    console.error(`[billing] Stripe could not ${what}`, error);
    throw new ServiceError("unavailable", `Stripe could not ${what} right now. Nothing was charged; try again in a moment, and if it keeps failing, tell the administrator.`);
  }
}

const ACTIVE = new Set(["active", "trialing", "past_due"]);

/**
 * Stripe webhooks, verified by the route. Each event is stored and applied once (its id is unique in
 * webhook_events, in the same transaction as its effects); an event older than the last one applied to a
 * subscription is recorded but changes nothing, so out-of-order delivery never rolls a plan back.
 */
export class StripeWebhookService {
  constructor(private readonly db: Database) {}

  async handle(event: Stripe.Event): Promise<"processed" | "ignored" | "duplicate" | "stale"> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(webhookEvents)
        .values({ provider: "stripe", eventId: event.id, type: event.type, payload: event as unknown as Record<string, unknown> })
        .onConflictDoNothing()
        .returning({ id: webhookEvents.id });
      if (inserted.length === 0) return "duplicate";
      let outcome: "processed" | "ignored" | "stale";
      try {
        outcome = await new StripeWebhookService(tx).apply(event);
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        outcome = "ignored";
        await tx.update(webhookEvents).set({ error: error.message }).where(eq(webhookEvents.id, inserted[0]!.id));
      }
      await tx
        .update(webhookEvents)
        .set({ outcome: outcome === "stale" ? "ignored" : outcome, processedAt: sql`now()`, ...(outcome === "stale" && { error: "older than the last event applied" }) })
        .where(eq(webhookEvents.id, inserted[0]!.id));
      return outcome;
    });
  }

  private async apply(event: Stripe.Event): Promise<"processed" | "ignored" | "stale"> {
    switch (event.type) {
      case "checkout.session.completed": {
        const session = event.data.object as Stripe.Checkout.Session;
        const userId = session.client_reference_id ?? session.metadata?.userId;
        const customer = typeof session.customer === "string" ? session.customer : session.customer?.id;
        if (!userId || !customer || session.mode !== "subscription") return "ignored";
        const plan = (session.metadata?.plan as Plan | undefined) ?? "pro";
        const subscriptionId = typeof session.subscription === "string" ? session.subscription : (session.subscription?.id ?? null);
        return this.sync({ userId, customer, subscriptionId, status: "active", plan, priceId: null, periodEnd: null, cancelAtPeriodEnd: false, created: event.created });
      }
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.deleted": {
        const sub = event.data.object as Stripe.Subscription;
        const customer = typeof sub.customer === "string" ? sub.customer : sub.customer.id;
        const item = sub.items?.data?.[0];
        const status = event.type === "customer.subscription.deleted" ? "canceled" : sub.status;
        const plan = ACTIVE.has(status) ? (planForPrice(item?.price?.id) ?? (sub.metadata?.plan as Plan | undefined) ?? null) : "free";
        if (!plan) return "ignored";
        const userId = (await this.userForCustomer(customer)) ?? sub.metadata?.userId;
        if (!userId) return "ignored";
        const periodEnd = (item as { current_period_end?: number } | undefined)?.current_period_end ?? (sub as { current_period_end?: number }).current_period_end;
        return this.sync({
          userId,
          customer,
          subscriptionId: sub.id,
          status,
          plan,
          priceId: item?.price?.id ?? null,
          periodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
          cancelAtPeriodEnd: Boolean(sub.cancel_at_period_end),
          created: event.created,
        });
      }
      case "invoice.payment_failed":
      case "invoice.paid": {
        const invoice = event.data.object as Stripe.Invoice;
        const customer = typeof invoice.customer === "string" ? invoice.customer : invoice.customer?.id;
        if (!customer) return "ignored";
        const [row] = await this.db.select().from(subscriptions).where(eq(subscriptions.stripeCustomerId, customer));
        if (!row || event.created < row.lastEventCreated) return row ? "stale" : "ignored";
        // A failed payment does not end the plan: Stripe retries, then cancels (a subscription event).
        const status = event.type === "invoice.payment_failed" ? "past_due" : row.status === "past_due" ? "active" : row.status;
        await this.db.update(subscriptions).set({ status, lastEventCreated: event.created, updatedAt: sql`now()` }).where(eq(subscriptions.userId, row.userId));
        return "processed";
      }
      default:
        return "ignored";
    }
  }

  private async userForCustomer(customer: string): Promise<string | undefined> {
    const [row] = await this.db.select({ userId: subscriptions.userId }).from(subscriptions).where(eq(subscriptions.stripeCustomerId, customer));
    return row?.userId;
  }

  private async sync(s: {
    userId: string;
    customer: string;
    subscriptionId: string | null;
    status: string;
    plan: Plan;
    priceId: string | null;
    periodEnd: Date | null;
    cancelAtPeriodEnd: boolean;
    created: number;
  }): Promise<"processed" | "stale" | "ignored"> {
    // A reference that is not one of our ids (a payment link's, another integration's) names no user; asking
    // the database would fail the whole delivery and make Stripe retry it for days.
    const [user] = uuidSchema.safeParse(s.userId).success ? await this.db.select({ id: users.id }).from(users).where(eq(users.id, s.userId)) : [];
    if (!user) throw new ServiceError("not_found", `No user ${s.userId} for Stripe customer ${s.customer}.`);
    const [existing] = await this.db.select().from(subscriptions).where(eq(subscriptions.userId, s.userId)).for("update");
    if (existing && s.created < existing.lastEventCreated) return "stale";
    // The end of another subscription (an old one, or a second one) does not end the one in force.
    if (
      existing &&
      s.subscriptionId &&
      existing.stripeSubscriptionId &&
      existing.stripeSubscriptionId !== s.subscriptionId &&
      ACTIVE.has(existing.status) &&
      !ACTIVE.has(s.status)
    ) {
      return "ignored";
    }
    const values = {
      stripeCustomerId: s.customer,
      stripeSubscriptionId: s.subscriptionId ?? existing?.stripeSubscriptionId ?? null,
      stripePriceId: s.priceId ?? existing?.stripePriceId ?? null,
      plan: s.plan,
      status: s.status,
      currentPeriodEnd: s.periodEnd ?? existing?.currentPeriodEnd ?? null,
      cancelAtPeriodEnd: s.cancelAtPeriodEnd,
      lastEventCreated: s.created,
      updatedAt: new Date(),
    };
    if (existing) await this.db.update(subscriptions).set(values).where(eq(subscriptions.userId, s.userId));
    else await this.db.insert(subscriptions).values({ userId: s.userId, ...values });
    // The database is the source of truth for the plan: every request reads it, so the UI follows at once.
    await this.db.update(users).set({ plan: s.plan, updatedAt: sql`now()` }).where(eq(users.id, s.userId));
    return "processed";
  }
}
