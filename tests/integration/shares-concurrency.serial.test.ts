import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, setDatabaseOverride, type Database, type DatabaseHandle } from "../../src/server/db/client";
import { users } from "../../src/server/db/schema";
import { PublicShareService } from "../../src/server/services/share-service";
import { workerDatabase } from "../helpers/db";
import { createPrompt, createUser } from "../helpers/factories";
import { createShare, openPage, shareRow } from "../helpers/shares";

/**
 * A link limited to 10 views, opened 50 times at once, serves exactly 10. These tests cannot run inside the
 * usual rolled-back transaction (a transaction is one connection, so nothing would be concurrent): the data
 * is committed, and the users are deleted afterwards (their prompts and shares cascade).
 */
const OPENS = 50;
const LIMIT = 10;

async function concurrentOpens(db: Database, createdUsers: string[]) {
  const owner = await createUser(db);
  createdUsers.push(owner.id);
  const prompt = await createPrompt(db, owner.id, { title: "Ten views only", body: "Only ten people may read {{this}}." });

  // Through the service: every open races for the same row.
  const viaService = await createShare(db, owner.id, { promptId: prompt.id, maxViews: LIMIT });
  const service = new PublicShareService(db);
  const results = await Promise.all(Array.from({ length: OPENS }, () => service.open(viaService.slug)));
  const served = results.filter((r) => r.ok);
  const refused = results.filter((r) => !r.ok);
  expect(served).toHaveLength(LIMIT);
  expect(refused).toHaveLength(OPENS - LIMIT);
  expect(new Set(refused.map((r) => (r.ok ? "ok" : r.state)))).toEqual(new Set(["exhausted"]));
  expect((await shareRow(db, viaService.id)).viewCount).toBe(LIMIT);

  // Through the public page's route handler, as browsers would hit it.
  const viaRoute = await createShare(db, owner.id, { promptId: prompt.id, maxViews: LIMIT });
  setDatabaseOverride(db);
  let statuses: number[];
  try {
    statuses = (await Promise.all(Array.from({ length: OPENS }, () => openPage(viaRoute.slug)))).map((r) => r.status);
  } finally {
    setDatabaseOverride(undefined);
  }
  expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
  expect(statuses.filter((s) => s === 410)).toHaveLength(OPENS - LIMIT);
  expect((await shareRow(db, viaRoute.id)).viewCount).toBe(LIMIT);
}

async function deleteUsers(db: Database, ids: string[]) {
  if (ids.length > 0) await db.delete(users).where(inArray(users.id, ids));
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("50 concurrent opens on Postgres, over a pool of separate connections", () => {
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

  it("serves exactly 10 of them", async () => {
    await concurrentOpens(handle.db, createdUsers);
    // The opens really were spread over several connections, not queued on one.
    const pool = (handle.db as unknown as { $client: { totalCount: number } }).$client;
    expect(pool.totalCount).toBeGreaterThan(1);
    // And nothing is left behind for other tests.
    await deleteUsers(handle.db, createdUsers.splice(0));
  });
});

describe("50 concurrent opens on the worker database (PGlite by default), outside a transaction", () => {
  const createdUsers: string[] = [];
  let db: Database;

  beforeAll(async () => {
    db = (await workerDatabase()).db;
  });

  afterAll(async () => {
    await deleteUsers(db, createdUsers);
  });

  it("serves exactly 10 of them", async () => {
    await concurrentOpens(db, createdUsers);
    const ids = createdUsers.splice(0);
    await deleteUsers(db, ids);
    expect(await db.select({ id: users.id }).from(users).where(eq(users.id, ids[0]!))).toEqual([]);
  });
});
