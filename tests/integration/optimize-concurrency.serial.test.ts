import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/server/db/client";
import { aiReservations, optimizations, promptVersions, usageEvents, users } from "../../src/server/db/schema";
import { ServiceError } from "../../src/server/errors";
import { OptimizeService } from "../../src/server/services/optimize-service";
import { fakeEngines, useFakeOpenAi } from "../helpers/ai";
import { workerDatabase } from "../helpers/db";
import { sampleOutput } from "../helpers/fake-openai";
import { createPrompt, createUser } from "../helpers/factories";

/**
 * Deciding on a proposal twice at once — accept and reject, or accept and accept — leaves exactly one
 * decision, and the prompt agrees with it. Like shares-concurrency, this runs on committed data (a
 * rolled-back test transaction is one connection, so nothing could race), hence a `.serial` file that runs
 * after the main suite, alone; the users are deleted afterwards.
 */
const ROUNDS = 6;

type Outcome = { ok: true } | { ok: false; code: string };
const settle = (p: Promise<unknown>): Promise<Outcome> =>
  p.then(
    () => ({ ok: true }) as const,
    (e: unknown) => {
      if (e instanceof ServiceError) return { ok: false, code: e.code } as const;
      throw e;
    },
  );

async function race(db: Database, createdUsers: string[], second: "accept" | "reject") {
  const user = await createUser(db);
  createdUsers.push(user.id);
  for (let round = 0; round < ROUNDS; round++) {
    const prompt = await createPrompt(db, user.id, { body: `Please write a short note about [topic] number ${round}.` });
    const service = new OptimizeService(db, user.id);
    const proposal = await service.optimize(prompt.id, { engine: "builtin" });

    // Alternate who starts first, so both orders are exercised.
    const calls = [() => service.accept(proposal.id), () => (second === "accept" ? service.accept(proposal.id) : service.reject(proposal.id))];
    if (round % 2) calls.reverse();
    const outcomes = await Promise.all(calls.map((c) => settle(c())));
    const results = round % 2 ? outcomes.reverse() : outcomes;

    expect(results.filter((r) => r.ok), JSON.stringify(results)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: "conflict" }]);

    const [row] = await db.select().from(optimizations).where(eq(optimizations.id, proposal.id));
    const versions = await db.select().from(promptVersions).where(eq(promptVersions.promptId, prompt.id)).orderBy(asc(promptVersions.number));
    const accepted = second === "accept" || results[0]!.ok;
    if (accepted) {
      // Accepted: one new version, named after the optimization, and the row points at it.
      expect(row!.status).toBe("accepted");
      expect(versions.map((v) => v.number)).toEqual([1, 2]);
      expect(row!.acceptedVersionId).toBe(versions[1]!.id);
      expect(versions[1]!.body).toBe(proposal.rewritten);
    } else {
      // Rejected: the prompt is untouched.
      expect(row!.status).toBe("rejected");
      expect(row!.acceptedVersionId).toBeNull();
      expect(versions.map((v) => v.number)).toEqual([1]);
    }
  }
}

async function deleteUsers(db: Database, ids: string[]) {
  if (ids.length > 0) await db.delete(users).where(inArray(users.id, ids));
}

const fake = useFakeOpenAi();

/**
 * Two optimizations started together when one platform call is left this month: the quota check and the
 * call are seconds apart, so without a reservation both would pass the check and both would run on the
 * platform's key. Exactly one does; the other (no key of the user's own) is a 402.
 */
async function lastPlatformCall(db: Database, createdUsers: string[]) {
  const user = await createUser(db, { plan: "free" });
  createdUsers.push(user.id);
  await db.insert(usageEvents).values(
    Array.from({ length: 9 }, () => ({ userId: user.id, feature: "optimize", provider: "openai", model: "gpt-4o-mini", outcome: "success", keySource: "platform", occurredAt: new Date() })),
  );
  const prompts = await Promise.all([0, 1].map((n) => createPrompt(db, user.id, { body: `Write a short note about [topic] number ${n}.` })));
  // Each call is held by the fake server long enough for the other to reach its quota check.
  for (let n = 0; n < 2; n++) fake.enqueue({ kind: "delay", ms: 300, then: { kind: "optimization", output: sampleOutput() } });
  const service = new OptimizeService(db, user.id, fakeEngines(fake));
  const results = await Promise.all(prompts.map((p) => settle(service.optimize(p.id))));

  expect(results.filter((r) => r.ok), JSON.stringify(results)).toHaveLength(1);
  expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: "payment_required" }]);
  expect(fake.chatRequests()).toHaveLength(1);
  const platformCalls = await db
    .select()
    .from(usageEvents)
    .where(and(eq(usageEvents.userId, user.id), eq(usageEvents.keySource, "platform"), eq(usageEvents.outcome, "success")));
  expect(platformCalls).toHaveLength(10);
  expect(await db.select().from(aiReservations).where(eq(aiReservations.userId, user.id))).toEqual([]);
}

function suite(name: string, open: () => Promise<{ db: Database; close?: () => Promise<void> }>) {
  describe(name, () => {
    const createdUsers: string[] = [];
    let db: Database;
    let close: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ db, close } = await open());
    });
    afterAll(async () => {
      if (db) await deleteUsers(db, createdUsers);
      await close?.();
    });

    it("accept and reject at once: one wins, the other is a conflict, and the prompt matches the winner", async () => {
      await race(db, createdUsers, "reject");
    });

    it("accept twice at once: one new version, one conflict", async () => {
      await race(db, createdUsers, "accept");
    });

    it("two optimizations at once with one platform call left: one uses the platform's key, the other is a 402", async () => {
      await lastPlatformCall(db, createdUsers);
    });
  });
}

suite("concurrent decisions on the worker database (PGlite by default), outside a transaction", async () => ({ db: (await workerDatabase()).db }));

describe.skipIf(!process.env.TEST_DATABASE_URL)("on Postgres, over a pool of separate connections", () => {
  let handle: DatabaseHandle;
  suite("concurrent decisions", async () => {
    handle = await openDatabase({ driver: "pg", url: process.env.TEST_DATABASE_URL!, max: 10 });
    return { db: handle.db, close: () => handle.close() };
  });
});
