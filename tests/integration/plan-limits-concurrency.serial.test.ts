import { count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/server/db/client";
import { prompts, users } from "../../src/server/db/schema";
import { ServiceError } from "../../src/server/errors";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useBillingEnv } from "../helpers/billing";
import { workerDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";

/**
 * A user one below the prompt limit fires 50 creates at once: exactly the limit exists afterwards, and every
 * other create was refused with limit_exceeded. This needs real, separate transactions, so it cannot run in
 * the usual rolled-back transaction: the data is committed and the user deleted afterwards (prompts cascade).
 * Hence `.serial.test.ts`: it runs after the main suite, alone (vitest.serial.config.ts).
 */
const LIMIT = 10;
const CREATES = 50;

async function fiftyAtOnce(db: Database, createdUsers: string[], warmUp: () => Promise<unknown> = async () => {}) {
  const user = await createUser(db);
  createdUsers.push(user.id);
  for (let i = 0; i < LIMIT - 1; i++) await createPrompt(db, user.id, { title: `Existing ${i}` });
  await warmUp();

  const service = new PromptService(db, user.id);
  const results = await Promise.allSettled(Array.from({ length: CREATES }, (_, i) => service.create({ title: `Racing ${i}`, body: `Created by racer ${i}.` })));

  const created = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  const reasons = refused.map((r) => (r.reason instanceof ServiceError ? `${r.reason.code}:${(r.reason.details as { used?: number })?.used}` : String(r.reason)));
  expect(created).toHaveLength(1);
  expect(refused).toHaveLength(CREATES - 1);
  // Every refusal is the plan limit (no deadlock, no serialization failure), and each saw the full count.
  expect(new Set(reasons)).toEqual(new Set([`limit_exceeded:${LIMIT}`]));

  const [row] = await db.select({ n: count() }).from(prompts).where(eq(prompts.userId, user.id));
  expect(Number(row!.n)).toBe(LIMIT);
}

async function deleteUsers(db: Database, ids: string[]) {
  if (ids.length > 0) await db.delete(users).where(inArray(users.id, ids));
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("50 parallel prompt creates on Postgres, over a pool of separate connections", () => {
  const setEnv = useBillingEnv();
  let handle: DatabaseHandle;
  const createdUsers: string[] = [];

  beforeAll(async () => {
    handle = await openDatabase({ driver: "pg", url: process.env.TEST_DATABASE_URL!, max: 20 });
  });

  afterAll(async () => {
    if (!handle) return;
    await deleteUsers(handle.db, createdUsers);
    await handle.close();
  });

  it(`leave exactly ${LIMIT} prompts`, async () => {
    setEnv({ PLAN_LIMITS: JSON.stringify({ free: { prompts: LIMIT } }) });
    try {
      // Open the pool's 20 connections first: otherwise the first create commits on the one open connection
      // while the others are still being established, and the creates never actually overlap.
      await fiftyAtOnce(handle.db, createdUsers, () => Promise.all(Array.from({ length: 20 }, () => handle.db.execute(sql`select pg_sleep(0.05)`))));
      // The creates really ran on several connections, not queued on one.
      const pool = (handle.db as unknown as { $client: { totalCount: number } }).$client;
      expect(pool.totalCount).toBe(20);
    } finally {
      await deleteUsers(handle.db, createdUsers.splice(0));
    }
  });
});

// PGlite is one connection that runs transactions one after the other, so there the race cannot happen and this
// checks the outcome only; the Postgres case above is the one that fails without the row lock (checked by
// removing the lock: 20 of the 50 creates then succeed).
describe("50 parallel prompt creates on the worker database (PGlite by default), outside a transaction", () => {
  const setEnv = useBillingEnv();
  const createdUsers: string[] = [];
  let db: Database;

  beforeAll(async () => {
    db = (await workerDatabase()).db;
  });

  afterAll(async () => {
    await deleteUsers(db, createdUsers);
  });

  it(`leave exactly ${LIMIT} prompts`, async () => {
    setEnv({ PLAN_LIMITS: JSON.stringify({ free: { prompts: LIMIT } }) });
    try {
      await fiftyAtOnce(db, createdUsers);
    } finally {
      const ids = createdUsers.splice(0);
      await deleteUsers(db, ids);
      expect(await db.select({ n: count() }).from(prompts).where(inArray(prompts.userId, ids))).toEqual([{ n: 0 }]);
    }
  });
});
