import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "svix";
import { describe, expect, it } from "vitest";
import { importSessions, usageEvents, users } from "../../src/server/db/schema";
import { SESSION_COOKIE } from "../../src/server/auth";
import { monthStart } from "../../src/server/plans";
import { adminUserRoute, adminUsersRoute, adminWebhooksRoute, checkoutCompleted, deliver, stripeEnv, stripeEvent, useBillingEnv } from "../helpers/billing";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { clerkWebhookRoute, signUpRoute } from "../helpers/routes";

/** The admin area's API: who is an admin, users with plan and usage, plan changes, the webhook log. */
describe("admin", () => {
  const db = useTestDatabase();
  const setEnv = useBillingEnv();

  const listUsers = (user: TestUser | null) => call(adminUsersRoute.GET, "GET", "/api/admin/users", { cookie: user?.cookie });
  const setPlan = (user: TestUser | null, id: string, body: unknown) => call(adminUserRoute.PATCH, "PATCH", `/api/admin/users/${id}`, { cookie: user?.cookie, params: { id }, body });
  const webhookLog = (user: TestUser | null) => call(adminWebhooksRoute.GET, "GET", "/api/admin/webhooks", { cookie: user?.cookie });
  const planOf = async (id: string) => (await db().select({ plan: users.plan }).from(users).where(eq(users.id, id)))[0]!.plan;

  async function signUp(email: string) {
    const res = await call(signUpRoute.POST, "POST", "/api/auth/sign-up", { body: { email, password: "correct horse battery" }, headers: { "x-forwarded-for": "203.0.113.7" } });
    expect(res.status).toBe(201);
    const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
    return { id: res.json.user.id as string, email, cookie, isAdmin: res.json.user.isAdmin as boolean };
  }

  it("the first built-in account and the addresses in ADMIN_EMAILS are admins; nobody else", async () => {
    setEnv({ ADMIN_EMAILS: " Boss@Example.test, ops@example.test ,," });
    const first = await signUp("first@example.test");
    const second = await signUp("second@example.test");
    const boss = await signUp("BOSS@example.TEST");
    const ops = await signUp("ops@example.test");
    expect([first.isAdmin, second.isAdmin, boss.isAdmin, ops.isAdmin]).toEqual([true, false, true, true]);
    const rows = await db().select({ email: users.email, isAdmin: users.isAdmin }).from(users);
    expect(rows).toEqual(
      expect.arrayContaining([
        { email: "first@example.test", isAdmin: true },
        { email: "second@example.test", isAdmin: false },
        { email: "boss@example.test", isAdmin: true },
        { email: "ops@example.test", isAdmin: true },
      ]),
    );
    // Their sessions work on the admin API at once.
    expect((await listUsers(boss)).status).toBe(200);
    expect((await listUsers(second)).status).toBe(403);
  });

  it("answers 401 without a session and 403 to a signed-in non-admin on every admin route, changing nothing", async () => {
    const member = await createUser(db());
    const other = await createUser(db());
    for (const res of [await listUsers(null), await webhookLog(null), await setPlan(null, other.id, { plan: "pro" })]) expect(res.status).toBe(401);
    const attempts = [
      await listUsers(member),
      await webhookLog(member),
      await setPlan(member, other.id, { plan: "enterprise" }),
      // Raising one's own plan is the obvious try.
      await setPlan(member, member.id, { plan: "enterprise" }),
      await setPlan(member, "not-a-uuid", { plan: "pro" }),
      await setPlan(member, randomUUID(), { plan: "nope" }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(403);
      expect(res.json.error).toEqual({ code: "forbidden", message: "This area is for administrators." });
    }
    expect(await planOf(member.id)).toBe("free");
    expect(await planOf(other.id)).toBe("free");
  });

  it("lists users with their plan and this month's usage", async () => {
    const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
    const admin = await createUser(db(), { isAdmin: true, email: "admin@example.test", createdAt: daysAgo(3) });
    const busy = await createUser(db(), { plan: "pro", email: "busy@example.test", createdAt: daysAgo(2) });
    const idle = await createUser(db(), { email: "idle@example.test", createdAt: daysAgo(1) });
    for (let i = 0; i < 3; i++) await createPrompt(db(), busy.id, { title: `Prompt ${i}` });
    await db().insert(importSessions).values([
      { userId: busy.id, status: "succeeded" },
      { userId: busy.id, status: "failed" },
      { userId: busy.id, status: "succeeded", createdAt: new Date(monthStart().getTime() - 1000) },
    ]);
    const event = { userId: busy.id, provider: "openai", model: "gpt-4o-mini", inputTokens: 400, outputTokens: 200, outcome: "success", keySource: "platform", occurredAt: new Date() };
    await db().insert(usageEvents).values([
      { ...event, feature: "optimize", costMicros: 180 },
      { ...event, feature: "optimize", costMicros: 220, keySource: "user" },
      { ...event, feature: "tagging", costMicros: 100 },
      { ...event, feature: "optimize", costMicros: 5_000, occurredAt: new Date(monthStart().getTime() - 1000) },
    ]);

    const res = await listUsers(admin);
    expect(res.status).toBe(200);
    const byEmail = new Map<string, Record<string, unknown>>(res.json.users.map((u: { email: string }) => [u.email, u]));
    expect(byEmail.get("busy@example.test")).toEqual({
      id: busy.id,
      email: "busy@example.test",
      displayName: "Test User",
      plan: "pro",
      isAdmin: false,
      createdAt: expect.any(String),
      prompts: 3,
      importsThisMonth: 2,
      optimizationsThisMonth: 2,
      costThisMonthMicros: 500,
    });
    expect(byEmail.get("idle@example.test")).toMatchObject({ id: idle.id, plan: "free", isAdmin: false, prompts: 0, importsThisMonth: 0, optimizationsThisMonth: 0, costThisMonthMicros: 0 });
    expect(byEmail.get("admin@example.test")).toMatchObject({ id: admin.id, isAdmin: true, prompts: 0 });
    // Newest first.
    const mine = new Set(["admin@example.test", "busy@example.test", "idle@example.test"]);
    expect(res.json.users.map((u: { email: string }) => u.email).filter((e: string) => mine.has(e))).toEqual(["idle@example.test", "busy@example.test", "admin@example.test"]);
  });

  it("changes a plan without Stripe: 200 with the updated row; 422 for a plan that does not exist; 404 for no such user", async () => {
    const admin = await createUser(db(), { isAdmin: true });
    const user = await createUser(db());
    await createPrompt(db(), user.id);
    const res = await setPlan(admin, user.id, { plan: "enterprise" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: user.id, email: user.email, plan: "enterprise", prompts: 1 });
    expect(await planOf(user.id)).toBe("enterprise");
    expect((await setPlan(admin, user.id, { plan: "free" })).json.plan).toBe("free");

    for (const body of [{ plan: "platinum" }, {}, { plan: null }]) {
      const bad = await setPlan(admin, user.id, body);
      expect(bad.status).toBe(422);
      expect(bad.json.error.code).toBe("invalid");
    }
    expect((await setPlan(admin, randomUUID(), { plan: "pro" })).status).toBe(404);
    expect((await setPlan(admin, "42", { plan: "pro" })).status).toBe(404);
    expect(await planOf(user.id)).toBe("free");
  });

  it("with Stripe configured, plans follow subscriptions: a manual change answers 409 and changes nothing", async () => {
    setEnv(stripeEnv());
    const admin = await createUser(db(), { isAdmin: true });
    const user = await createUser(db());
    const res = await setPlan(admin, user.id, { plan: "pro" });
    expect(res.status).toBe(409);
    expect(res.json.error).toEqual({ code: "conflict", message: "Billing is handled by Stripe on this server: change the subscription in Stripe instead." });
    expect(await planOf(user.id)).toBe("free");
    // Listing still works.
    expect((await listUsers(admin)).status).toBe(200);
  });

  it("the webhook log lists Stripe and Clerk events with their outcomes, newest first, without payloads", async () => {
    const admin = await createUser(db(), { isAdmin: true });
    const customer = await createUser(db());

    // A Clerk delivery (Clerk configured only for it: with Clerk on, the built-in sessions would not apply).
    const clerkSecret = `whsec_${randomBytes(24).toString("base64")}`;
    const saved = { sk: process.env.CLERK_SECRET_KEY, pk: process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY, wh: process.env.CLERK_WEBHOOK_SIGNING_SECRET };
    process.env.CLERK_SECRET_KEY = "sk_test_placeholder";
    process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = "pk_test_placeholder";
    process.env.CLERK_WEBHOOK_SIGNING_SECRET = clerkSecret;
    setEnv({});
    try {
      const msgId = `msg_${randomUUID()}`;
      const payload = JSON.stringify({ type: "session.created", data: { id: "sess_123", object: "session" } });
      const at = new Date();
      const res = await call(clerkWebhookRoute.POST, "POST", "/api/webhooks/clerk", {
        rawBody: payload,
        headers: { "svix-id": msgId, "svix-timestamp": String(Math.floor(at.getTime() / 1000)), "svix-signature": new Webhook(clerkSecret).sign(msgId, at, payload) },
      });
      expect(res.json).toEqual({ received: true, outcome: "ignored" });
    } finally {
      for (const [key, value] of [
        ["CLERK_SECRET_KEY", saved.sk],
        ["NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", saved.pk],
        ["CLERK_WEBHOOK_SIGNING_SECRET", saved.wh],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }

    // Stripe deliveries: one applied, one not for us, one for a user that does not exist.
    setEnv(stripeEnv());
    const paid = checkoutCompleted({ userId: customer.id, customer: "cus_log_1", subscription: "sub_log_1" });
    const other = stripeEvent("product.updated", { id: "prod_1", object: "product" });
    const orphan = checkoutCompleted({ userId: randomUUID(), customer: "cus_log_2", subscription: "sub_log_2" });
    for (const event of [paid, other, orphan]) expect((await deliver(event)).status).toBe(200);
    // The admin can look at it while Stripe is on (only plan changes are refused).
    const res = await webhookLog(admin);
    expect(res.status).toBe(200);
    const events = res.json.events as Record<string, unknown>[];
    expect(events.map((e) => [e.provider, e.type, e.outcome])).toEqual(
      expect.arrayContaining([
        ["clerk", "session.created", "ignored"],
        ["stripe", "checkout.session.completed", "processed"],
        ["stripe", "product.updated", "ignored"],
        ["stripe", "checkout.session.completed", "ignored"],
      ]),
    );
    expect(events).toHaveLength(4);
    expect(events.find((e) => e.eventId === paid.id)).toMatchObject({ error: null, processedAt: expect.any(String), receivedAt: expect.any(String) });
    expect(events.find((e) => e.eventId === orphan.id)!.error).toMatch(/^No user /);
    for (const e of events) expect(Object.keys(e).sort()).toEqual(["error", "eventId", "id", "outcome", "processedAt", "provider", "receivedAt", "type"]);
    const times = events.map((e) => Date.parse(e.receivedAt as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});
