import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Database } from "../../src/server/db/client";
import { importSessions, prompts, shares, subscriptions, usageEvents, users } from "../../src/server/db/schema";
import { DEFAULT_PLAN_LIMITS, monthStart } from "../../src/server/plans";
import { billingRoute, checkoutCompleted, checkoutRoute, deliver, portalRoute, PRICES, SECRET_KEY, stripeEnv, useBillingEnv, useFakeStripe } from "../helpers/billing";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { createShare } from "../helpers/shares";

/**
 * The plan page's API: GET /api/billing, and Stripe Checkout / customer portal sessions made by the real
 * `stripe` SDK against a local fake of Stripe's REST API (STRIPE_API_URL).
 */
describe("billing routes", () => {
  const db = useTestDatabase();
  const setEnv = useBillingEnv();
  const stripe = useFakeStripe();

  const overview = (user: TestUser) => call(billingRoute.GET, "GET", "/api/billing", { cookie: user.cookie });
  const checkout = (user: TestUser | null, body: unknown) => call(checkoutRoute.POST, "POST", "/api/billing/checkout", { cookie: user?.cookie, body });
  const portal = (user: TestUser | null) => call(portalRoute.POST, "POST", "/api/billing/portal", { cookie: user?.cookie });
  const billingOn = (extra = {}) => setEnv(stripeEnv({ STRIPE_API_URL: stripe.url, ...extra }));
  const subscriptionOf = async (userId: string) => (await db().select().from(subscriptions).where(eq(subscriptions.userId, userId)))[0];

  async function usage(database: Database, user: TestUser) {
    const prompt = await createPrompt(database, user.id, { title: "One" });
    await createPrompt(database, user.id, { title: "Two" });
    const trashed = await createPrompt(database, user.id, { title: "Three, in the trash" });
    await database.update(prompts).set({ deletedAt: new Date() }).where(eq(prompts.id, trashed.id));
    await createShare(database, user.id, { promptId: prompt.id, version: "latest" });
    const revoked = await createShare(database, user.id, { promptId: prompt.id, version: "latest" });
    await database.update(shares).set({ revokedAt: new Date() }).where(eq(shares.id, revoked.id));
    await database.insert(importSessions).values([
      { userId: user.id, status: "succeeded" },
      { userId: user.id, status: "succeeded", createdAt: new Date(monthStart().getTime() - 60_000) },
    ]);
    const event = { userId: user.id, feature: "optimize", provider: "openai", model: "gpt-4o-mini", inputTokens: 10, outputTokens: 10, costMicros: 5, outcome: "success", keySource: "platform" };
    await database.insert(usageEvents).values([
      { ...event, occurredAt: new Date() },
      { ...event, occurredAt: new Date() },
      // Not counted: the user's own key, a failed call, last month.
      { ...event, keySource: "user", occurredAt: new Date() },
      { ...event, outcome: "error", occurredAt: new Date() },
      { ...event, occurredAt: new Date(monthStart().getTime() - 60_000) },
    ]);
  }

  it("answers 401 without a session", async () => {
    setEnv(stripeEnv({ STRIPE_API_URL: stripe.url }));
    expect((await call(billingRoute.GET, "GET", "/api/billing")).status).toBe(401);
    expect((await checkout(null, { plan: "pro", interval: "month" })).status).toBe(401);
    expect((await portal(null)).status).toBe(401);
    expect(stripe.requests).toEqual([]);
  });

  it("GET /api/billing without Stripe: the plan, its limits, usage against each, every plan, billing off", async () => {
    const user = await createUser(db());
    await usage(db(), user);
    const res = await overview(user);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      plan: "free",
      limits: DEFAULT_PLAN_LIMITS.free,
      // Trashed prompts count (they can be restored); revoked links, last month's imports and optimizations,
      // failed calls and calls on the user's own key do not.
      usage: { prompts: 3, importsThisMonth: 1, activeShares: 1, platformOptimizationsThisMonth: 2 },
      plans: [
        { plan: "free", limits: DEFAULT_PLAN_LIMITS.free },
        { plan: "pro", limits: DEFAULT_PLAN_LIMITS.pro },
        { plan: "enterprise", limits: DEFAULT_PLAN_LIMITS.enterprise },
      ],
      billing: { enabled: false, prices: [], subscription: null },
    });
  });

  it("GET /api/billing follows PLAN_LIMITS and the user's plan; with Stripe on it lists the prices sold", async () => {
    setEnv({ PLAN_LIMITS: JSON.stringify({ free: { prompts: 3, activeShares: 2 }, pro: { importsPerMonth: 7 } }) });
    const user = await createUser(db());
    const free = (await overview(user)).json;
    expect(free.limits).toEqual({ ...DEFAULT_PLAN_LIMITS.free, prompts: 3, activeShares: 2 });
    expect(free.plans[1].limits).toEqual({ ...DEFAULT_PLAN_LIMITS.pro, importsPerMonth: 7 });

    await db().update(users).set({ plan: "enterprise" }).where(eq(users.id, user.id));
    billingOn();
    const enterprise = (await overview(user)).json;
    expect(enterprise.plan).toBe("enterprise");
    expect(enterprise.limits).toEqual(DEFAULT_PLAN_LIMITS.enterprise);
    expect(enterprise.billing).toEqual({
      enabled: true,
      // No STRIPE_PRICE_ENTERPRISE_YEARLY is set, so enterprise is not offered yearly.
      prices: [
        { plan: "pro", interval: "month" },
        { plan: "pro", interval: "year" },
        { plan: "enterprise", interval: "month" },
      ],
      subscription: null,
    });
    // Reading the plan never talks to Stripe.
    expect(stripe.requests).toEqual([]);
  });

  it("POST /api/billing/checkout without billing: 404 not_configured, nothing sent to Stripe", async () => {
    const user = await createUser(db());
    setEnv({ STRIPE_API_URL: stripe.url });
    const res = await checkout(user, { plan: "pro", interval: "month" });
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("not_configured");
    expect(res.json.error.message).toMatch(/Billing is not enabled/);
    expect((await portal(user)).status).toBe(404);
    expect(stripe.requests).toEqual([]);
  });

  it("refuses a plan or period that is not sold with 422, before calling Stripe", async () => {
    billingOn();
    const user = await createUser(db());
    for (const body of [{ plan: "free" }, { plan: "gold", interval: "month" }, { plan: "pro", interval: "week" }, {}, { plan: ["pro"] }]) {
      const res = await checkout(user, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe("invalid");
    }
    const yearly = await checkout(user, { plan: "enterprise", interval: "year" });
    expect(yearly.status).toBe(422);
    expect(yearly.json.error.message).toBe("The enterprise plan is not sold yearly here.");
    expect(stripe.requests).toEqual([]);
    expect(await subscriptionOf(user.id)).toBeUndefined();
  });

  it("creates a Checkout session with the plan's price, as a subscription for this user; the customer is created once and reused", async () => {
    billingOn();
    const user = await createUser(db(), { email: "buyer@example.test", displayName: "Ada Buyer" });
    const first = await checkout(user, { plan: "pro", interval: "month" });
    expect(first.status).toBe(200);
    expect(first.json.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);

    const [customerReq, sessionReq, ...rest] = stripe.requests;
    expect(rest).toEqual([]);
    expect(customerReq).toMatchObject({ method: "POST", path: "/v1/customers", authorization: `Bearer ${SECRET_KEY}` });
    expect(customerReq!.form).toMatchObject({ email: "buyer@example.test", name: "Ada Buyer", "metadata[userId]": user.id });
    const customerId = [...stripe.customers.keys()][0]!;
    expect(sessionReq).toMatchObject({ method: "POST", path: "/v1/checkout/sessions", authorization: `Bearer ${SECRET_KEY}` });
    expect(sessionReq!.form).toMatchObject({
      mode: "subscription",
      customer: customerId,
      client_reference_id: user.id,
      "line_items[0][price]": PRICES.proMonthly,
      "line_items[0][quantity]": "1",
      "metadata[userId]": user.id,
      "metadata[plan]": "pro",
      "subscription_data[metadata][userId]": user.id,
      "subscription_data[metadata][plan]": "pro",
      success_url: "http://localhost:3000/plan?checkout=success",
      cancel_url: "http://localhost:3000/plan?checkout=cancelled",
    });
    // Only one line item.
    expect(Object.keys(sessionReq!.form).filter((k) => k.startsWith("line_items[1]"))).toEqual([]);
    // The customer is remembered; the plan does not change until Stripe's webhook says it was paid.
    expect(await subscriptionOf(user.id)).toMatchObject({ stripeCustomerId: customerId, status: "none", plan: "free", stripeSubscriptionId: null });
    expect((await db().select({ plan: users.plan }).from(users).where(eq(users.id, user.id)))[0]!.plan).toBe("free");

    // Yearly Pro, then monthly Enterprise: the same customer, the right prices, no second customer.
    stripe.requests.length = 0;
    expect((await checkout(user, { plan: "pro", interval: "year" })).status).toBe(200);
    expect((await checkout(user, { plan: "enterprise" })).status).toBe(200);
    expect(stripe.requestsTo("/v1/customers")).toEqual([]);
    const sessions = stripe.requestsTo("/v1/checkout/sessions");
    expect(sessions.map((r) => [r.form["line_items[0][price]"], r.form["metadata[plan]"], r.form.customer])).toEqual([
      [PRICES.proYearly, "pro", customerId],
      [PRICES.enterpriseMonthly, "enterprise", customerId],
    ]);
    expect(stripe.customers.size).toBe(1);
    // Every call carried the secret key, and retries would be safe (the SDK sends idempotency keys).
    for (const r of stripe.requests) {
      expect(r.authorization).toBe(`Bearer ${SECRET_KEY}`);
      expect(r.headers["idempotency-key"]).toBeTruthy();
    }
  });

  it("two checkouts started at once create one Stripe customer (same idempotency key), and both pages use it", async () => {
    billingOn();
    const user = await createUser(db());
    const [a, b] = await Promise.all([checkout(user, { plan: "pro", interval: "month" }), checkout(user, { plan: "pro", interval: "year" })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(stripe.customers.size).toBe(1);
    const keys = stripe.requestsTo("/v1/customers").map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual([`promptvault-customer-${user.id}`, `promptvault-customer-${user.id}`]);
    const [customerId] = stripe.customers.keys();
    expect(stripe.requestsTo("/v1/checkout/sessions").map((r) => r.form.customer)).toEqual([customerId, customerId]);
  });

  it("builds the return addresses from APP_URL when it is set", async () => {
    billingOn({ APP_URL: "https://prompts.example.org/" });
    const user = await createUser(db());
    expect((await checkout(user, { plan: "pro", interval: "month" })).status).toBe(200);
    expect(stripe.requestsTo("/v1/checkout/sessions")[0]!.form).toMatchObject({
      success_url: "https://prompts.example.org/plan?checkout=success",
      cancel_url: "https://prompts.example.org/plan?checkout=cancelled",
    });
  });

  it("portal: 409 before any subscription (even after an abandoned checkout), then a portal session for the customer", async () => {
    billingOn();
    const user = await createUser(db());
    const none = await portal(user);
    expect(none.status).toBe(409);
    expect(none.json.error).toMatchObject({ code: "conflict", message: "You have no subscription yet: choose a plan first." });

    // Checkout opened and abandoned: a customer exists, a subscription does not.
    expect((await checkout(user, { plan: "pro", interval: "month" })).status).toBe(200);
    const customer = (await subscriptionOf(user.id))!.stripeCustomerId;
    stripe.requests.length = 0;
    expect((await portal(user)).status).toBe(409);
    expect(stripe.requests).toEqual([]);

    // Paid: Stripe's webhook records the subscription; the portal opens for that customer.
    expect((await deliver(checkoutCompleted({ userId: user.id, customer, subscription: "sub_portal_1", plan: "pro" }))).json.outcome).toBe("processed");
    const res = await portal(user);
    expect(res.status).toBe(200);
    expect(res.json.url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_test_/);
    expect(stripe.requests).toHaveLength(1);
    expect(stripe.requests[0]).toMatchObject({ method: "POST", path: "/v1/billing_portal/sessions", authorization: `Bearer ${SECRET_KEY}`, form: { customer, return_url: "http://localhost:3000/plan" } });
    // And the overview shows the subscription.
    expect((await overview(user)).json).toMatchObject({ plan: "pro", billing: { enabled: true, subscription: { status: "active", plan: "pro", cancelAtPeriodEnd: false } } });
  });

  it("says so clearly when Stripe refuses the call, and does not pretend a checkout exists", async () => {
    billingOn();
    const user = await createUser(db());
    stripe.failNext("/v1/checkout/sessions", { status: 400, type: "invalid_request_error", code: "resource_missing", message: "No such price: 'price_1PvProMonthlyTEST'" });
    const res = await checkout(user, { plan: "pro", interval: "month" });
    expect(res.status).toBe(503);
    expect(res.json.error.code).toBe("unavailable");
    expect(res.json.error.message).toMatch(/Stripe/);
    expect(res.json.url).toBeUndefined();
    // The next attempt works and reuses the customer created the first time.
    expect((await checkout(user, { plan: "pro", interval: "month" })).status).toBe(200);
    expect(stripe.requestsTo("/v1/customers")).toHaveLength(1);
  });
});
