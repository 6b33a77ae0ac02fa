import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { Webhook } from "svix";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { promptVersions, prompts, sessions, users, webhookEvents } from "../../src/server/db/schema";
import { reloadEnv } from "../../src/server/env";
import { useTestDatabase } from "../helpers/db";
import { createFolder, createPrompt, createTag } from "../helpers/factories";
import { call } from "../helpers/http";
import { clerkWebhookRoute } from "../helpers/routes";

const CLERK_KEYS = ["CLERK_SECRET_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_WEBHOOK_SIGNING_SECRET"] as const;
const SECRET = `whsec_${randomBytes(24).toString("base64")}`;

function clerkUser(id: string, email: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: "user",
    email_addresses: [
      { id: "idn_other", email_address: `other-${email}` },
      { id: "idn_primary", email_address: email },
    ],
    primary_email_address_id: "idn_primary",
    first_name: "Ada",
    last_name: "Lovelace",
    username: null,
    image_url: "https://img.example.test/ada.png",
    ...extra,
  };
}

/** Signs a payload the way Clerk's svix does and posts it to the route. */
function deliver(event: unknown, options: { msgId?: string; at?: Date; secret?: string; tamper?: (payload: string) => string } = {}) {
  const msgId = options.msgId ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const payload = JSON.stringify(event);
  const signature = new Webhook(options.secret ?? SECRET).sign(msgId, at, payload);
  return call(clerkWebhookRoute.POST, "POST", "/api/webhooks/clerk", {
    rawBody: options.tamper ? options.tamper(payload) : payload,
    headers: {
      "content-type": "application/json",
      "svix-id": msgId,
      "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
      "svix-signature": signature,
    },
  });
}

describe("Clerk webhook", () => {
  const db = useTestDatabase();
  const saved: Partial<Record<(typeof CLERK_KEYS)[number], string>> = {};

  beforeEach(() => {
    for (const key of CLERK_KEYS) saved[key] = process.env[key];
  });
  afterEach(() => {
    for (const key of CLERK_KEYS) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    reloadEnv();
  });
  const configure = (withSigningSecret = true) => {
    process.env.CLERK_SECRET_KEY = "sk_test_placeholder";
    process.env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY = "pk_test_placeholder";
    if (withSigningSecret) process.env.CLERK_WEBHOOK_SIGNING_SECRET = SECRET;
    reloadEnv();
  };
  const userByClerkId = async (clerkId: string) => (await db().select().from(users).where(eq(users.clerkId, clerkId)))[0];

  it("answers 404 when Clerk is not configured, or its signing secret is missing", async () => {
    const event = { type: "user.created", data: clerkUser("user_unconfigured", "u@example.test") };
    const res = await deliver(event);
    expect(res.status).toBe(404);
    configure(false);
    expect((await deliver(event)).status).toBe(404);
    expect(await db().select().from(webhookEvents)).toEqual([]);
    expect(await db().select().from(users)).toEqual([]);
  });

  it("creates, updates and deletes users; deleting cascades to what they own", async () => {
    configure();
    const clerkId = `user_${randomUUID()}`;
    const created = await deliver({ type: "user.created", data: clerkUser(clerkId, "Ada@Example.test") });
    expect(created.status).toBe(200);
    expect(created.json).toEqual({ received: true, outcome: "processed" });
    const row = await userByClerkId(clerkId);
    expect(row).toMatchObject({ email: "ada@example.test", displayName: "Ada Lovelace", imageUrl: "https://img.example.test/ada.png", passwordHash: null, isAdmin: false });

    const updated = await deliver({ type: "user.updated", data: clerkUser(clerkId, "ada@newmail.test", { first_name: "Augusta", last_name: null, image_url: null }) });
    expect(updated.json.outcome).toBe("processed");
    expect(await userByClerkId(clerkId)).toMatchObject({ id: row!.id, email: "ada@newmail.test", displayName: "Augusta", imageUrl: null });
    expect(await db().select().from(users)).toHaveLength(1);

    // Give them a library, then delete them in Clerk.
    const prompt = await createPrompt(db(), row!.id, { title: "Mine", body: "v1" });
    await createFolder(db(), row!.id);
    await createTag(db(), row!.id);
    await db().insert(sessions).values({ tokenHash: "h".repeat(64), userId: row!.id, expiresAt: new Date(Date.now() + 60_000) });
    const bystander = await deliver({ type: "user.created", data: clerkUser(`user_${randomUUID()}`, "bystander@example.test") });
    expect(bystander.status).toBe(200);

    const deleted = await deliver({ type: "user.deleted", data: { id: clerkId, deleted: true, object: "user" } });
    expect(deleted.status).toBe(200);
    expect(deleted.json.outcome).toBe("processed");
    expect(await userByClerkId(clerkId)).toBeUndefined();
    expect(await db().select().from(prompts).where(eq(prompts.id, prompt.id))).toEqual([]);
    expect(await db().select().from(promptVersions).where(eq(promptVersions.promptId, prompt.id))).toEqual([]);
    expect(await db().select().from(sessions).where(eq(sessions.userId, row!.id))).toEqual([]);
    expect(await db().select({ email: users.email }).from(users)).toEqual([{ email: "bystander@example.test" }]);

    const events = await db().select().from(webhookEvents).where(eq(webhookEvents.provider, "clerk"));
    expect(events.map((e) => [e.type, e.outcome])).toEqual(
      expect.arrayContaining([
        ["user.created", "processed"],
        ["user.updated", "processed"],
        ["user.deleted", "processed"],
      ]),
    );
    // Events it does not handle are acknowledged and recorded as ignored.
    const other = await deliver({ type: "session.created", data: { id: "sess_1" } });
    expect(other.json).toEqual({ received: true, outcome: "ignored" });
  });

  it("links a user.created to an existing built-in account with the same email", async () => {
    configure();
    const [local] = await db().insert(users).values({ email: "linked@example.test", passwordHash: "scrypt$x" }).returning();
    const clerkId = `user_${randomUUID()}`;
    const res = await deliver({ type: "user.created", data: clerkUser(clerkId, "LINKED@example.test") });
    expect(res.status).toBe(200);
    expect(await userByClerkId(clerkId)).toMatchObject({ id: local!.id, email: "linked@example.test" });
    expect(await db().select().from(users)).toHaveLength(1);
  });

  it("rejects a bad signature with 400 and changes nothing", async () => {
    configure();
    const clerkId = `user_${randomUUID()}`;
    const event = { type: "user.created", data: clerkUser(clerkId, "forged@example.test") };
    const otherSecret = `whsec_${randomBytes(24).toString("base64")}`;
    const attempts = [
      await deliver(event, { secret: otherSecret }),
      await deliver(event, { tamper: (p) => p.replace("forged@", "victim@") }),
      await call(clerkWebhookRoute.POST, "POST", "/api/webhooks/clerk", { rawBody: JSON.stringify(event), headers: { "content-type": "application/json" } }),
      await call(clerkWebhookRoute.POST, "POST", "/api/webhooks/clerk", {
        rawBody: JSON.stringify(event),
        headers: { "svix-id": "msg_1", "svix-timestamp": String(Math.floor(Date.now() / 1000)), "svix-signature": "v1,AAAA" },
      }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_signature");
    }
    expect(await db().select().from(users)).toEqual([]);
    expect(await db().select().from(webhookEvents)).toEqual([]);
  });

  it("rejects a stale (or future) timestamp with 400", async () => {
    configure();
    const event = { type: "user.created", data: clerkUser(`user_${randomUUID()}`, "stale@example.test") };
    expect((await deliver(event, { at: new Date(Date.now() - 10 * 60_000) })).status).toBe(400);
    expect((await deliver(event, { at: new Date(Date.now() + 10 * 60_000) })).status).toBe(400);
    expect(await db().select().from(users)).toEqual([]);
    expect(await db().select().from(webhookEvents)).toEqual([]);
  });

  it("processes a redelivered svix message once", async () => {
    configure();
    const clerkId = `user_${randomUUID()}`;
    const msgId = `msg_${randomUUID()}`;
    const first = await deliver({ type: "user.created", data: clerkUser(clerkId, "once@example.test") }, { msgId });
    expect(first.json.outcome).toBe("processed");
    // The same message id again — even re-signed later with different content — is acknowledged, not applied.
    const again = await deliver({ type: "user.created", data: clerkUser(clerkId, "once@example.test") }, { msgId });
    expect(again.status).toBe(200);
    expect(again.json.outcome).toBe("duplicate");
    const changed = await deliver({ type: "user.updated", data: clerkUser(clerkId, "twice@example.test") }, { msgId });
    expect(changed.json.outcome).toBe("duplicate");
    expect(await userByClerkId(clerkId)).toMatchObject({ email: "once@example.test" });
    const rows = await db().select().from(webhookEvents).where(eq(webhookEvents.eventId, msgId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: "clerk", type: "user.created", outcome: "processed" });
    expect(rows[0]!.processedAt).toBeInstanceOf(Date);
  });
});
