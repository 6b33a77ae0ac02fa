import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { prompts, users } from "../../src/server/db/schema";
import { ROLES, STARTERS } from "../../src/server/onboarding/starters";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { meRoute } from "../helpers/routes";
import * as onboardingRoute from "../../src/app/api/onboarding/route";
import * as finishRoute from "../../src/app/api/onboarding/finish/route";
import * as startersRoute from "../../src/app/api/onboarding/starters/route";

const IMPORT_ID = "0e3f4c1a-9d2b-4c5e-8f7a-6b1d2e3f4a5b";

const getState = (cookie?: string) => call(onboardingRoute.GET, "GET", "/api/onboarding", { cookie });
const saveState = (cookie: string | undefined, body: unknown) => call(onboardingRoute.PATCH, "PATCH", "/api/onboarding", { cookie, body });
const getStarters = (cookie?: string) => call(startersRoute.GET, "GET", "/api/onboarding/starters", { cookie });
const finish = (cookie: string | undefined, body: unknown) => call(finishRoute.POST, "POST", "/api/onboarding/finish", { cookie, body });

const ids = (list: { id: string }[]) => list.map((s) => s.id).sort();

describe("onboarding", () => {
  const db = useTestDatabase();

  it("answers 401 on every route without a session, and changes nothing", async () => {
    for (const cookie of [undefined, "pv_session=not-a-real-session-token"]) {
      for (const [label, res] of [
        ["GET state", await getState(cookie)],
        ["PATCH state", await saveState(cookie, { step: "tools" })],
        ["GET starters", await getStarters(cookie)],
        ["POST finish", await finish(cookie, { starterIds: ["write-edit"] })],
        ["PATCH /api/me", await call(meRoute.PATCH, "PATCH", "/api/me", { cookie, body: { displayName: "Mallory" } })],
      ] as const) {
        expect(res.status, `${label} with ${cookie}`).toBe(401);
        expect(res.json.error.code, label).toBe("unauthorized");
      }
    }
    expect(await db().select().from(prompts)).toEqual([]);
  });

  it("starts at the roles step, not completed", async () => {
    const user = await createUser(db());
    const res = await getState(user.cookie);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ step: "roles", roles: [], tools: [], models: [], importId: null, addedStarters: [], completed: false });
  });

  it("saves progress after each step and merges it, so it can be resumed", async () => {
    const user = await createUser(db());
    const first = await saveState(user.cookie, { step: "tools", roles: ["engineering", "data"] });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ step: "tools", roles: ["engineering", "data"], tools: [], completed: false });

    const second = await saveState(user.cookie, { step: "import", tools: [" Claude ", "Cursor"], models: ["Claude Sonnet"] });
    expect(second.json).toMatchObject({ step: "import", roles: ["engineering", "data"], tools: ["Claude", "Cursor"], models: ["Claude Sonnet"] });

    const third = await saveState(user.cookie, { step: "starters", importId: IMPORT_ID });
    expect(third.json.importId).toBe(IMPORT_ID);

    // Leaving and coming back (a new request, as after a reload): everything is where it was left.
    const resumed = await getState(user.cookie);
    expect(resumed.json).toEqual({
      step: "starters",
      roles: ["engineering", "data"],
      tools: ["Claude", "Cursor"],
      models: ["Claude Sonnet"],
      importId: IMPORT_ID,
      addedStarters: [],
      completed: false,
    });

    // Going back to change an answer replaces that answer only; clearing the import is allowed.
    const changed = await saveState(user.cookie, { step: "roles", roles: ["writing"], importId: null });
    expect(changed.json).toMatchObject({ step: "roles", roles: ["writing"], tools: ["Claude", "Cursor"], importId: null });

    // An empty PATCH changes nothing.
    expect((await saveState(user.cookie, {})).json).toEqual(changed.json);

    // Another user's state is their own.
    const other = await createUser(db());
    expect((await getState(other.cookie)).json).toMatchObject({ step: "roles", roles: [], tools: [] });
  });

  it("answers 422 for an unknown role, step or bad field, and saves nothing", async () => {
    const user = await createUser(db());
    await saveState(user.cookie, { roles: ["writing"] });
    const bad: [string, unknown, string][] = [
      ["unknown role", { roles: ["astronaut"] }, "roles.0"],
      ["role not a string", { roles: [42] }, "roles.0"],
      ["roles not a list", { roles: "writing" }, "roles"],
      ["unknown step", { step: "payment" }, "step"],
      ["empty tool", { tools: ["  "] }, "tools.0"],
      ["too many tools", { tools: Array.from({ length: 31 }, (_, i) => `tool ${i}`) }, "tools"],
      ["importId not an id", { importId: "abc" }, "importId"],
    ];
    for (const [label, body, path] of bad) {
      const res = await saveState(user.cookie, body);
      expect(res.status, label).toBe(422);
      expect(res.json.error.code, label).toBe("invalid");
      expect(res.json.error.details.fields.map((f: { path: string }) => f.path), label).toContain(path);
    }
    expect((await saveState(user.cookie, undefined as never)).status).toBe(200);
    expect((await call(onboardingRoute.PATCH, "PATCH", "/api/onboarding", { cookie: user.cookie, rawBody: "{nope" })).status).toBe(422);
    expect((await getState(user.cookie)).json).toMatchObject({ step: "roles", roles: ["writing"], tools: [] });
  });

  it("offers starters that follow the chosen roles", async () => {
    const user = await createUser(db());
    const none = await getStarters(user.cookie);
    expect(none.status).toBe(200);
    expect(none.json.roles.map((r: { id: string }) => r.id)).toEqual(ROLES.map((r) => r.id));
    // No roles yet: a general-purpose selection.
    expect(ids(none.json.starters)).toEqual(["learn-explain", "research-compare", "write-edit"]);

    await saveState(user.cookie, { roles: ["engineering", "data"] });
    const chosen = await getStarters(user.cookie);
    expect(ids(chosen.json.starters)).toEqual(ids(STARTERS.filter((s) => s.role === "engineering" || s.role === "data")));
    expect(chosen.json.starters.every((s: { role: string }) => s.role === "engineering" || s.role === "data")).toBe(true);
    for (const starter of chosen.json.starters) {
      expect(starter.title).toEqual(expect.any(String));
      expect(starter.body).toContain("{{");
      expect(starter.parameters.length).toBeGreaterThan(0);
    }

    await saveState(user.cookie, { roles: ["support"] });
    expect(ids((await getStarters(user.cookie)).json.starters)).toEqual(["support-reply", "support-summarise"]);
  });

  it("adds the chosen starters with their parameters, marks onboarding completed, and adds only new ones when finished again", async () => {
    const user = await createUser(db());
    await saveState(user.cookie, { step: "starters", roles: ["engineering", "support"] });

    const done = await finish(user.cookie, { starterIds: ["eng-tests", "support-reply"] });
    expect(done.status).toBe(200);
    expect(done.json.added).toBe(2);
    expect(done.json.state).toMatchObject({ completed: true, step: "starters", roles: ["engineering", "support"] });
    expect(done.json.state.addedStarters.sort()).toEqual(["eng-tests", "support-reply"]);
    expect((await getState(user.cookie)).json.completed).toBe(true);
    const [row] = await db().select({ onboardedAt: users.onboardedAt }).from(users).where(eq(users.id, user.id));
    const firstFinishedAt = row!.onboardedAt;
    expect(firstFinishedAt).toBeInstanceOf(Date);

    const library = new PromptService(db(), user.id);
    const list = await library.list({});
    expect(list.items.map((p) => p.title).sort()).toEqual(["Reply to a customer", "Write tests for a function"]);
    for (const item of list.items) {
      const prompt = await library.get(item.id);
      const starter = STARTERS.find((s) => s.title === prompt.title)!;
      expect(prompt.source).toBe("starter");
      expect(prompt.body).toBe(starter.body);
      expect(prompt.version).toMatchObject({ number: 1, message: "Starter template" });
      expect(prompt.parameters).toEqual(starter.parameters.map((p) => ({ ...p, required: p.required ?? false })));
    }
    const tests = await library.get(list.items.find((p) => p.title === "Write tests for a function")!.id);
    expect(tests.parameters).toContainEqual({ name: "framework", type: "enum", required: false, options: ["vitest", "jest", "pytest", "go test", "JUnit"], default: "vitest" });

    // Revisiting later: only starters not added before are added; unknown ids add nothing.
    await saveState(user.cookie, { step: "roles", roles: ["engineering", "support", "writing"] });
    const again = await finish(user.cookie, { starterIds: ["eng-tests", "support-reply", "write-edit", "no-such-starter"] });
    expect(again.status).toBe(200);
    expect(again.json.added).toBe(1);
    expect(again.json.state.addedStarters.sort()).toEqual(["eng-tests", "support-reply", "write-edit"]);
    expect(again.json.state.completed).toBe(true);
    expect((await library.list({})).items).toHaveLength(3);
    const [after] = await db().select({ onboardedAt: users.onboardedAt }).from(users).where(eq(users.id, user.id));
    expect(after!.onboardedAt).toEqual(firstFinishedAt);

    // Even after the user deletes a starter, finishing again does not bring it back.
    const added = (await library.list({})).items.find((p) => p.title === "Reply to a customer")!;
    await library.trash(added.id);
    expect((await finish(user.cookie, { starterIds: ["support-reply"] })).json.added).toBe(0);

    // Another user's starters are independent.
    const other = await createUser(db());
    expect((await finish(other.cookie, { starterIds: ["eng-tests"] })).json.added).toBe(1);
  });

  it("finishes with no starters, and rejects a bad finish body", async () => {
    const user = await createUser(db());
    const skip = await finish(user.cookie, {});
    expect(skip.status).toBe(200);
    expect(skip.json).toMatchObject({ added: 0, state: { completed: true, addedStarters: [] } });
    for (const body of [{ starterIds: "write-edit" }, { starterIds: [1] }, { starterIds: Array.from({ length: STARTERS.length + 1 }, () => "write-edit") }]) {
      const res = await finish(user.cookie, body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(422);
      expect(res.json.error.code).toBe("invalid");
    }
    expect((await new PromptService(db(), user.id).list({})).items).toEqual([]);
  });

  it("updates the display name with PATCH /api/me", async () => {
    const user = await createUser(db(), { displayName: "Old name" });
    const res = await call(meRoute.PATCH, "PATCH", "/api/me", { cookie: user.cookie, body: { displayName: "  Ada Lovelace  " } });
    expect(res.status).toBe(200);
    expect(res.json.user).toMatchObject({ id: user.id, displayName: "Ada Lovelace" });
    expect((await call(meRoute.GET, "GET", "/api/me", { cookie: user.cookie })).json.user.displayName).toBe("Ada Lovelace");

    for (const cleared of ["", "   ", null]) {
      const r = await call(meRoute.PATCH, "PATCH", "/api/me", { cookie: user.cookie, body: { displayName: cleared } });
      expect(r.status, JSON.stringify(cleared)).toBe(200);
      expect(r.json.user.displayName).toBeNull();
    }

    for (const body of [{ displayName: "x".repeat(81) }, { displayName: 42 }, {}]) {
      const r = await call(meRoute.PATCH, "PATCH", "/api/me", { cookie: user.cookie, body });
      expect(r.status, JSON.stringify(body).slice(0, 40)).toBe(422);
      expect(r.json.error.code).toBe("invalid");
    }
    // The email cannot be changed through it.
    const sneaky = await call(meRoute.PATCH, "PATCH", "/api/me", { cookie: user.cookie, body: { displayName: "Ada", email: "evil@example.test", plan: "enterprise" } });
    expect(sneaky.status).toBe(200);
    const [row] = await db().select({ email: users.email, plan: users.plan, displayName: users.displayName }).from(users).where(eq(users.id, user.id));
    expect(row).toEqual({ email: user.email, plan: "free", displayName: "Ada" });
  });
});
