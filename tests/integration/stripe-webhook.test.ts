import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { subscriptions, users, webhookEvents } from "../../src/server/db/schema";
import {
  billingRoute,
  billingState,
  checkoutCompleted,
  deliver,
  invoiceEvent,
  PRICES,
  SECRET_KEY,
  stripeEnv,
  stripeEvent,
  subscriptionEvent,
  useBillingEnv,
  WEBHOOK_SECRET,
} from "../helpers/billing";
import { useTestDatabase } from "../helpers/db";
import { createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";

/**
 * Stripe → POST /api/webhooks/stripe, through the real route: every delivery is signed with the official
 * library's `generateTestHeaderString`, and verified by the SDK's `constructEvent` in the route.
 */
describe("Stripe webhook", () => {
  const db = useTestDatabase();
  const setEnv = useBillingEnv();

  const ids = () => ({ customer: `cus_${randomUUID().slice(0, 14)}`, subscription: `sub_${randomUUID().slice(0, 14)}` });
  const planOf = async (userId: string) => (await db().select({ plan: users.plan }).from(users).where(eq(users.id, userId)))[0]!.plan;
  const subscriptionOf = async (userId: string) => (await db().select().from(subscriptions).where(eq(subscriptions.userId, userId)))[0];
  const eventRow = async (eventId: string) => db().select().from(webhookEvents).where(eq(webhookEvents.eventId, eventId));

  /** A user who bought Pro through checkout (the subscription row exists, the plan is pro). */
  async function proUser(): Promise<TestUser & { customer: string; subscription: string }> {
    const user = await createUser(db());
    const s = ids();
    const res = await deliver(checkoutCompleted({ userId: user.id, ...s, plan: "pro" }, { created: 1_000 }));
    expect(res.json).toEqual({ received: true, outcome: "processed" });
    return { ...user, ...s };
  }

  it("answers 404 without Stripe configured (or without its webhook secret), and records nothing", async () => {
    const user = await createUser(db());
    const event = checkoutCompleted({ userId: user.id, ...ids() });
    const off = await deliver(event);
    expect(off.status).toBe(404);
    expect(off.json.error.code).toBe("not_configured");
    // The secret key alone is not enough: without the signing secret nothing can be verified.
    setEnv({ STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_PRICE_PRO_MONTHLY: PRICES.proMonthly });
    expect((await deliver(event)).status).toBe(404);
    expect(await db().select().from(webhookEvents)).toEqual([]);
    expect(await planOf(user.id)).toBe("free");
    expect(await subscriptionOf(user.id)).toBeUndefined();
  });

  it("checkout.session.completed gives the plan bought; customer.subscription.deleted takes it back to free", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const s = ids();
    const completed = await deliver(checkoutCompleted({ userId: user.id, ...s, plan: "pro" }));
    expect(completed.status).toBe(200);
    expect(completed.json).toEqual({ received: true, outcome: "processed" });
    expect(await planOf(user.id)).toBe("pro");
    expect(await subscriptionOf(user.id)).toMatchObject({ stripeCustomerId: s.customer, stripeSubscriptionId: s.subscription, plan: "pro", status: "active" });

    // The subscription event that follows fills in the price and the period end.
    const periodEnd = Math.floor(Date.now() / 1000) + 30 * 86_400;
    const created = await deliver(subscriptionEvent("created", { id: s.subscription, customer: s.customer, price: PRICES.proMonthly, periodEnd }));
    expect(created.json.outcome).toBe("processed");
    expect(await subscriptionOf(user.id)).toMatchObject({ stripePriceId: PRICES.proMonthly, currentPeriodEnd: new Date(periodEnd * 1000), cancelAtPeriodEnd: false });

    // Cancelled in the portal at period end: still Pro until then.
    const cancelling = await deliver(subscriptionEvent("updated", { id: s.subscription, customer: s.customer, price: PRICES.proMonthly, periodEnd, cancelAtPeriodEnd: true }));
    expect(cancelling.json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("pro");
    expect(await subscriptionOf(user.id)).toMatchObject({ cancelAtPeriodEnd: true, status: "active" });

    const deleted = await deliver(subscriptionEvent("deleted", { id: s.subscription, customer: s.customer, price: PRICES.proMonthly, periodEnd }));
    expect(deleted.json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("free");
    expect(await subscriptionOf(user.id)).toMatchObject({ plan: "free", status: "canceled" });

    const log = await db().select({ type: webhookEvents.type, outcome: webhookEvents.outcome }).from(webhookEvents).where(eq(webhookEvents.provider, "stripe"));
    expect(log).toHaveLength(4);
    expect(new Set(log.map((e) => e.outcome))).toEqual(new Set(["processed"]));
  });

  it("rejects a bad signature with 400 and changes nothing", async () => {
    setEnv(stripeEnv());
    const user = await proUser();
    const before = await billingState(db(), user.id);
    const forged = subscriptionEvent("deleted", { id: user.subscription, customer: user.customer, price: PRICES.proMonthly }, { created: 2_000 });
    const attempts = [
      // Signed with another endpoint's secret.
      await deliver(forged, { secret: `whsec_${randomUUID().replaceAll("-", "")}` }),
      // Signed, then changed on the way (a cancellation made to look like an enterprise upgrade).
      await deliver(subscriptionEvent("updated", { id: user.subscription, customer: user.customer, price: PRICES.proMonthly }, { created: 2_000 }), {
        tamper: (p) => p.replace(PRICES.proMonthly, PRICES.enterpriseMonthly),
      }),
      // No signature header at all, and a header that is not a Stripe signature.
      await deliver(forged, { header: null }),
      await deliver(forged, { header: `t=${Math.floor(Date.now() / 1000)},v1=${"0".repeat(64)}` }),
      await deliver(forged, { header: "garbage" }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_signature");
    }
    expect(await billingState(db(), user.id)).toEqual(before);
    expect(before.plan).toBe("pro");
    expect(before.events).toHaveLength(1);
  });

  it("rejects a correctly signed event whose timestamp is 10 minutes old (a replay) with 400, changing nothing", async () => {
    setEnv(stripeEnv());
    const user = await proUser();
    const before = await billingState(db(), user.id);
    const replay = subscriptionEvent("deleted", { id: user.subscription, customer: user.customer, price: PRICES.proMonthly }, { created: 2_000 });
    const stale = await deliver(replay, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 });
    expect(stale.status).toBe(400);
    expect(stale.json.error.code).toBe("invalid_signature");
    expect(await billingState(db(), user.id)).toEqual(before);
    // The same event signed now is accepted: it was the timestamp that was refused.
    expect((await deliver(replay)).json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("free");
  });

  it("processes an event delivered twice once: one webhook_events row, the second answer is duplicate", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const s = ids();
    const checkout = checkoutCompleted({ userId: user.id, ...s, plan: "pro" }, { created: 100 });
    const first = await deliver(checkout);
    const second = await deliver(checkout);
    expect(first.json).toEqual({ received: true, outcome: "processed" });
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ received: true, outcome: "duplicate" });
    const rows = await eventRow(checkout.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: "stripe", type: "checkout.session.completed", outcome: "processed", error: null });
    expect(rows[0]!.processedAt).toBeInstanceOf(Date);

    // Applied once, not merely harmless twice: two events in the same second (which the order guard cannot
    // tell apart) — enterprise, then pro — and then the first one redelivered. Re-applying it would make the
    // plan enterprise again; being a duplicate, it leaves pro.
    const toEnterprise = subscriptionEvent("updated", { id: s.subscription, customer: s.customer, price: PRICES.enterpriseMonthly }, { created: 200 });
    const toPro = subscriptionEvent("updated", { id: s.subscription, customer: s.customer, price: PRICES.proYearly }, { created: 200 });
    expect((await deliver(toEnterprise)).json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("enterprise");
    expect((await deliver(toPro)).json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("pro");
    expect((await deliver(toEnterprise)).json.outcome).toBe("duplicate");
    expect(await planOf(user.id)).toBe("pro");
    expect(await subscriptionOf(user.id)).toMatchObject({ stripePriceId: PRICES.proYearly });
    expect(await eventRow(toEnterprise.id)).toHaveLength(1);
    expect(await db().select().from(webhookEvents)).toHaveLength(3);
  });

  it("out-of-order deliveries end on the latest state: an older event is recorded but never rolls the plan back", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const s = ids();
    // Stripe copies the checkout's subscription_data.metadata onto the subscription: that is how a
    // subscription event that arrives before anything else finds its user.
    const sub = (price: string) => ({ id: s.subscription, customer: s.customer, price, metadata: { userId: user.id, plan: "pro" } });

    // updated → enterprise (t=200) arrives before the earlier created-as-pro (t=100).
    const updatedToEnterprise = subscriptionEvent("updated", sub(PRICES.enterpriseMonthly), { created: 200 });
    const createdAsPro = subscriptionEvent("created", sub(PRICES.proMonthly), { created: 100 });
    expect((await deliver(updatedToEnterprise)).json.outcome).toBe("processed");
    const late = await deliver(createdAsPro);
    expect(late.status).toBe(200);
    expect(late.json.outcome).toBe("stale");
    expect(await planOf(user.id)).toBe("enterprise");
    expect(await subscriptionOf(user.id)).toMatchObject({ plan: "enterprise", stripePriceId: PRICES.enterpriseMonthly, lastEventCreated: 200 });
    expect((await eventRow(createdAsPro.id))[0]).toMatchObject({ outcome: "ignored", error: "older than the last event applied" });

    // deleted (t=300) arrives before an updated (t=250): the subscription stays ended.
    const deleted = subscriptionEvent("deleted", sub(PRICES.enterpriseMonthly), { created: 300 });
    const updatedBefore = subscriptionEvent("updated", sub(PRICES.proMonthly), { created: 250 });
    expect((await deliver(deleted)).json.outcome).toBe("processed");
    expect((await deliver(updatedBefore)).json.outcome).toBe("stale");
    expect(await planOf(user.id)).toBe("free");
    expect(await subscriptionOf(user.id)).toMatchObject({ plan: "free", status: "canceled", lastEventCreated: 300 });

    // An invoice event older than the last applied one changes nothing either.
    expect((await deliver(invoiceEvent("invoice.payment_failed", s, { created: 280 }))).json.outcome).toBe("stale");
    expect(await subscriptionOf(user.id)).toMatchObject({ status: "canceled" });
  });

  it("the end of an older subscription does not end the one the person took out since", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const first = ids();
    const second = { customer: first.customer, subscription: `sub_${randomUUID().slice(0, 14)}` };
    const sub = (id: string, price: string) => ({ id, customer: first.customer, price, metadata: { userId: user.id, plan: "pro" } });
    expect((await deliver(subscriptionEvent("created", sub(first.subscription, PRICES.proMonthly), { created: 100 }))).json.outcome).toBe("processed");
    // A second subscription (say, Enterprise bought before Pro was cancelled), then the first one ends.
    expect((await deliver(subscriptionEvent("created", sub(second.subscription, PRICES.enterpriseMonthly), { created: 200 }))).json.outcome).toBe("processed");
    const oldEnds = subscriptionEvent("deleted", sub(first.subscription, PRICES.proMonthly), { created: 300 });
    expect((await deliver(oldEnds)).json.outcome).toBe("ignored");
    expect(await planOf(user.id)).toBe("enterprise");
    expect(await subscriptionOf(user.id)).toMatchObject({ plan: "enterprise", status: "active", stripeSubscriptionId: second.subscription });
    // The one in force ending does end the plan.
    expect((await deliver(subscriptionEvent("deleted", sub(second.subscription, PRICES.enterpriseMonthly), { created: 400 }))).json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("free");
  });

  it("invoice.payment_failed marks the subscription past_due and keeps the plan; invoice.paid after makes it active again", async () => {
    setEnv(stripeEnv());
    const user = await proUser();
    const failed = await deliver(invoiceEvent("invoice.payment_failed", user, { created: 2_000 }));
    expect(failed.json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("pro");
    expect(await subscriptionOf(user.id)).toMatchObject({ status: "past_due", plan: "pro", lastEventCreated: 2_000 });
    // The plan page shows it (and the UI warns about the failed payment).
    const overview = await call(billingRoute.GET, "GET", "/api/billing", { cookie: user.cookie });
    expect(overview.json).toMatchObject({ plan: "pro", billing: { enabled: true, subscription: { status: "past_due", plan: "pro" } } });

    // Stripe's retries update the subscription to past_due as well: still Pro while it retries.
    const pastDue = await deliver(subscriptionEvent("updated", { id: user.subscription, customer: user.customer, price: PRICES.proMonthly, status: "past_due" }, { created: 2_100 }));
    expect(pastDue.json.outcome).toBe("processed");
    expect(await planOf(user.id)).toBe("pro");

    const paid = await deliver(invoiceEvent("invoice.paid", user, { created: 3_000 }));
    expect(paid.json.outcome).toBe("processed");
    expect(await subscriptionOf(user.id)).toMatchObject({ status: "active", plan: "pro" });
    expect(await planOf(user.id)).toBe("pro");
  });

  it("acknowledges what it does not act on: other event types, other customers, unknown or malformed users", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const other = await deliver(stripeEvent("customer.created", { id: "cus_x", object: "customer" }));
    expect(other.json).toEqual({ received: true, outcome: "ignored" });
    // An invoice or subscription of a customer this app does not know (another product on the same account).
    expect((await deliver(invoiceEvent("invoice.paid", ids()))).json.outcome).toBe("ignored");
    const stranger = ids();
    expect((await deliver(subscriptionEvent("updated", { id: stranger.subscription, customer: stranger.customer, price: PRICES.proMonthly }))).json.outcome).toBe("ignored");
    // A price this server does not sell, without plan metadata.
    const s = ids();
    expect((await deliver(subscriptionEvent("updated", { id: s.subscription, customer: s.customer, price: "price_other_product", metadata: { userId: user.id } }))).json.outcome).toBe("ignored");
    // A payment link's checkout (mode payment) is not a subscription.
    const payment = checkoutCompleted({ userId: user.id, ...ids() });
    (payment.data.object as Record<string, unknown>).mode = "payment";
    expect((await deliver(payment)).json.outcome).toBe("ignored");
    // A checkout for a user that no longer exists, or whose reference is not one of our ids: recorded with
    // the reason, acknowledged (a 500 would make Stripe retry it for days).
    const gone = checkoutCompleted({ userId: randomUUID(), ...ids() });
    const goneRes = await deliver(gone);
    expect(goneRes.status).toBe(200);
    expect(goneRes.json.outcome).toBe("ignored");
    expect((await eventRow(gone.id))[0]!.error).toMatch(/^No user /);
    const foreign = checkoutCompleted({ userId: "order-4711", ...ids() });
    const foreignRes = await deliver(foreign);
    expect(foreignRes.status).toBe(200);
    expect(foreignRes.json.outcome).toBe("ignored");

    expect(await planOf(user.id)).toBe("free");
    expect(await db().select().from(subscriptions)).toEqual([]);
    const log = await db().select({ outcome: webhookEvents.outcome }).from(webhookEvents);
    expect(log).toHaveLength(7);
    expect(new Set(log.map((e) => e.outcome))).toEqual(new Set(["ignored"]));
  });

  it("uses the signing secret from the environment: rotating it makes old-secret signatures fail", async () => {
    setEnv(stripeEnv());
    const user = await createUser(db());
    const rotated = `whsec_${randomUUID().replaceAll("-", "")}`;
    setEnv({ STRIPE_WEBHOOK_SECRET: rotated });
    const event = checkoutCompleted({ userId: user.id, ...ids() });
    expect((await deliver(event, { secret: WEBHOOK_SECRET })).status).toBe(400);
    expect((await deliver(event, { secret: rotated })).json.outcome).toBe("processed");
  });
});
