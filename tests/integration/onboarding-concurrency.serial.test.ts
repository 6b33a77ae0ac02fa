import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "../../src/server/db/client";
import { prompts, users } from "../../src/server/db/schema";
import { OnboardingService } from "../../src/server/services/onboarding-service";
import { workerDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";

/**
 * A double-submitted "Finish" (three at once here) adds each starter once. Like the share concurrency test,
 * this needs committed data and separate connections, so it runs outside the rolled-back transaction and
 * deletes its user afterwards.
 */
async function concurrentFinishes(db: Database) {
  const user = await createUser(db);
  try {
    const results = await Promise.all([1, 2, 3].map(() => new OnboardingService(db, user.id).finish({ starterIds: ["write-edit", "eng-tests"] })));
    expect(results.map((r) => r.added).sort()).toEqual([0, 0, 2]);
    const titles = await db.select({ title: prompts.title }).from(prompts).where(eq(prompts.userId, user.id));
    expect(titles.map((t) => t.title).sort()).toEqual(["Edit for clarity without changing my voice", "Write tests for a function"]);
    expect((await new OnboardingService(db, user.id).state()).addedStarters.sort()).toEqual(["eng-tests", "write-edit"]);
  } finally {
    await db.delete(users).where(eq(users.id, user.id));
  }
}

describe.skipIf(!process.env.TEST_DATABASE_URL)("concurrent onboarding finishes on Postgres, over separate connections", () => {
  let handle: DatabaseHandle | undefined;
  afterAll(async () => {
    await handle?.close();
  });

  it("add each starter once", async () => {
    handle = await openDatabase({ driver: "pg", url: process.env.TEST_DATABASE_URL!, max: 5 });
    await concurrentFinishes(handle.db);
  });
});

describe("concurrent onboarding finishes on the worker database (PGlite by default)", () => {
  it("add each starter once", async () => {
    await concurrentFinishes((await workerDatabase()).db);
  });
});
