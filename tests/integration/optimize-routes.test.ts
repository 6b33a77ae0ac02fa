import { asc, count, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { optimizations, promptVersions, usageEvents } from "../../src/server/db/schema";
import { acceptRoute, optimizationsRoute, optimizeRoute, planRoute, rejectRoute, savedState } from "../helpers/ai";
import { useTestDatabase } from "../helpers/db";
import { createPrompt, createUser, type TestUser } from "../helpers/factories";
import { call } from "../helpers/http";
import { promptRoute } from "../helpers/routes";

const SOME_ID = "7b0c1f7e-8f55-4c1e-9b1a-2f6a3c9d0e11";
const BODY = "Please write a short blog post about [topic] for our customers. Thanks!";

describe("optimize API (built-in engine)", () => {
  const db = useTestDatabase();

  const optimize = (user: TestUser, id: string, body: unknown = { engine: "builtin" }) => call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id }, body });
  const history = (user: TestUser, id: string) => call(optimizationsRoute.GET, "GET", "/", { cookie: user.cookie, params: { id } });
  const accept = (user: TestUser, id: string) => call(acceptRoute.POST, "POST", "/", { cookie: user.cookie, params: { id } });
  const reject = (user: TestUser, id: string) => call(rejectRoute.POST, "POST", "/", { cookie: user.cookie, params: { id } });
  const versions = (promptId: string) => db().select().from(promptVersions).where(eq(promptVersions.promptId, promptId)).orderBy(asc(promptVersions.number));

  it("answers 401 on every route without a session", async () => {
    const owner = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const proposal = (await optimize(owner, prompt.id)).json;
    const cases: [string, (cookie?: string) => ReturnType<typeof call>][] = [
      ["POST /api/prompts/{id}/optimize", (cookie) => call(optimizeRoute.POST, "POST", "/", { cookie, params: { id: prompt.id }, body: { engine: "builtin" } })],
      ["GET /api/prompts/{id}/optimizations", (cookie) => call(optimizationsRoute.GET, "GET", "/", { cookie, params: { id: prompt.id } })],
      ["POST /api/optimizations/{id}/accept", (cookie) => call(acceptRoute.POST, "POST", "/", { cookie, params: { id: proposal.id } })],
      ["POST /api/optimizations/{id}/reject", (cookie) => call(rejectRoute.POST, "POST", "/", { cookie, params: { id: proposal.id } })],
      ["GET /api/optimize/plan", (cookie) => call(planRoute.GET, "GET", "/", { cookie })],
    ];
    for (const [label, attempt] of cases) {
      for (const cookie of [undefined, "pv_session=not-a-real-session-token"]) {
        const res = await attempt(cookie);
        expect(res.status, `${label} with cookie ${cookie}`).toBe(401);
        expect(res.json.error.code, label).toBe("unauthorized");
      }
    }
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 1 });
    expect((await history(owner, prompt.id)).json.optimizations[0]).toMatchObject({ id: proposal.id, status: "proposed" });
  });

  it("answers 404 for another user's prompt or optimization, and for ids that name nothing", async () => {
    const owner = await createUser(db());
    const stranger = await createUser(db());
    const prompt = await createPrompt(db(), owner.id);
    const proposal = (await optimize(owner, prompt.id)).json;
    const usageCount = async () => (await db().select({ n: count() }).from(usageEvents).where(inArray(usageEvents.userId, [owner.id, stranger.id])))[0]!.n;
    const events = await usageCount();

    for (const id of [prompt.id, SOME_ID, "not-a-uuid"]) {
      const o = await optimize(stranger, id);
      expect(o.status, `optimize ${id}`).toBe(404);
      expect(o.json.error).toMatchObject({ code: "not_found", message: "Prompt not found." });
      expect((await history(stranger, id)).status, `history ${id}`).toBe(404);
    }
    for (const id of [proposal.id, SOME_ID, "not-a-uuid"]) {
      const a = await accept(stranger, id);
      expect(a.status, `accept ${id}`).toBe(404);
      expect(a.json.error).toMatchObject({ code: "not_found", message: "Optimization not found." });
      expect((await reject(stranger, id)).status, `reject ${id}`).toBe(404);
    }
    // Nothing happened to the owner's prompt, and the stranger's attempts cost nothing.
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 1 });
    expect((await history(owner, prompt.id)).json.optimizations.map((o: { status: string }) => o.status)).toEqual(["proposed"]);
    expect(await usageCount()).toBe(events);
  });

  it("answers 422 for a bad engine value, and for a body that is not JSON", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id);
    for (const body of [{ engine: "gpt-5" }, { engine: "" }, { engine: 1 }, { engine: null }]) {
      const res = await optimize(user, prompt.id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.code).toBe("invalid");
      expect(res.json.error.details.fields[0].path).toBe("engine");
    }
    const raw = await call(optimizeRoute.POST, "POST", "/", { cookie: user.cookie, params: { id: prompt.id }, rawBody: "{engine:", headers: { "content-type": "application/json" } });
    expect(raw.status).toBe(422);
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 0, versions: 1 });
  });

  it("optimize → proposal in the history, prompt unchanged; accept → new version named after the optimization", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { title: "Blog post", body: BODY });

    const created = await optimize(user, prompt.id);
    expect(created.status).toBe(201);
    const proposal = created.json;
    expect(proposal).toMatchObject({ promptId: prompt.id, engine: "builtin", status: "proposed", baseVersion: 1, acceptedVersion: null, original: BODY, decidedAt: null });
    expect(proposal.rewritten).toContain("{{topic}}");
    expect(proposal.scoreAfter.total).toBeGreaterThan(proposal.scoreBefore.total);
    expect(proposal.changes.length).toBeGreaterThan(0);
    // Proposing changes nothing in the prompt itself.
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 1 });

    const accepted = await accept(user, proposal.id);
    expect(accepted.status).toBe(200);
    const message = `Optimized with the built-in optimizer — score ${proposal.scoreBefore.total} → ${proposal.scoreAfter.total}`;
    expect(accepted.json.prompt).toMatchObject({ id: prompt.id, currentVersion: 2, body: proposal.rewritten, title: "Blog post" });
    expect(accepted.json.optimization).toMatchObject({ id: proposal.id, status: "accepted", acceptedVersion: 2, baseVersion: 1 });
    expect(accepted.json.optimization.decidedAt).not.toBeNull();

    const rows = await versions(prompt.id);
    expect(rows.map((v) => [v.number, v.body, v.message, v.authorId])).toEqual([
      [1, BODY, "Created", user.id],
      [2, proposal.rewritten, message, user.id],
    ]);
    const [row] = await db().select().from(optimizations).where(eq(optimizations.id, proposal.id));
    expect(row).toMatchObject({ status: "accepted", acceptedVersionId: rows[1]!.id, baseVersionId: rows[0]!.id });

    // The prompt's API shows the new version, and the history keeps the decision.
    const read = await call(promptRoute.GET, "GET", "/", { cookie: user.cookie, params: { id: prompt.id } });
    expect(read.json).toMatchObject({ currentVersion: 2, body: proposal.rewritten });
    const list = await history(user, prompt.id);
    expect(list.json.optimizations).toEqual([expect.objectContaining({ id: proposal.id, status: "accepted", acceptedVersion: 2 })]);

    // Accepting twice, or rejecting after accepting, is a conflict; nothing more is written.
    const again = await accept(user, proposal.id);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "conflict", message: "This optimization was already accepted." });
    expect((await reject(user, proposal.id)).status).toBe(409);
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 2 });
  });

  it("reject → status rejected, kept in the history, prompt unchanged; a second decision is a conflict", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const first = (await optimize(user, prompt.id)).json;
    const second = (await optimize(user, prompt.id)).json;

    const rejected = await reject(user, first.id);
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ id: first.id, status: "rejected", acceptedVersion: null });
    expect(rejected.json.decidedAt).not.toBeNull();

    const list = await history(user, prompt.id);
    expect(list.status).toBe(200);
    // Both stay listed (the order is by creation time, which a test's single transaction cannot tell apart).
    const listed = list.json.optimizations.map((o: { id: string; status: string }) => [o.id, o.status]);
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([
      [second.id, "proposed"],
      [first.id, "rejected"],
    ]));
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 2, versions: 1 });

    expect((await reject(user, first.id)).json.error).toMatchObject({ code: "conflict", message: "This optimization was already rejected." });
    expect((await accept(user, first.id)).status).toBe(409);
    // The other proposal is still open.
    expect((await accept(user, second.id)).status).toBe(200);
  });

  it("accept after the prompt changed → 409, the edit is kept and the proposal stays open", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const proposal = (await optimize(user, prompt.id)).json;
    const edit = await call(promptRoute.PATCH, "PATCH", "/", { cookie: user.cookie, params: { id: prompt.id }, body: { body: `${BODY} Mention pricing.` } });
    expect(edit.status).toBe(200);

    const res = await accept(user, proposal.id);
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: "conflict", message: "The prompt has changed since this optimization ran (now version 2). Optimize it again." });
    expect((await versions(prompt.id)).map((v) => [v.number, v.body])).toEqual([
      [1, BODY],
      [2, `${BODY} Mention pricing.`],
    ]);
    expect((await history(user, prompt.id)).json.optimizations[0]).toMatchObject({ id: proposal.id, status: "proposed" });

    // Optimizing the new version can be accepted.
    const fresh = (await optimize(user, prompt.id)).json;
    expect(fresh.baseVersion).toBe(2);
    expect((await accept(user, fresh.id)).json.prompt.currentVersion).toBe(3);
  });

  it("a prompt in the trash cannot be optimized or take an accepted rewrite; its history stays readable", async () => {
    const user = await createUser(db());
    const prompt = await createPrompt(db(), user.id, { body: BODY });
    const proposal = (await optimize(user, prompt.id)).json;
    expect((await call(promptRoute.DELETE, "DELETE", "/", { cookie: user.cookie, params: { id: prompt.id } })).status).toBeLessThan(300);

    const res = await optimize(user, prompt.id);
    expect(res.status).toBe(409);
    expect((await accept(user, proposal.id)).status).toBe(409);
    expect((await history(user, prompt.id)).json.optimizations).toHaveLength(1);
    expect(await savedState(db(), prompt.id)).toEqual({ optimizations: 1, versions: 1 });
  });
});
