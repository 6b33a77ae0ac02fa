import { execFile } from "node:child_process";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/server/db/client";
import { importSessions, prompts, users } from "../../src/server/db/schema";
import { AccountService } from "../../src/server/services/account-service";
import { chatGptExport } from "../helpers/chatgpt-export";
import { FIXTURES, removeTemporaryDirs, SAMPLES, tempDir } from "../helpers/imports";

const ROOT = path.resolve(import.meta.dirname, "../..");
// The project's own tsx, as `npx tsx` would resolve it (without npm's start-up cost).
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const SAMPLE = path.join(SAMPLES, "chatgpt", "soulprint_chatgpt_minimal.json");

type Run = { code: number; stdout: string; stderr: string };

function cli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(TSX, ["scripts/cli.ts", ...args], { cwd: ROOT, env: childEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe("CLI import", () => {
  afterAll(removeTemporaryDirs);
  const dir = tempDir("pv-cli-");
  const duplicates = path.join(dir, "conversations.json");
  writeFileSync(
    duplicates,
    chatGptExport([
      { id: "d-1", title: "Code", createTime: 1_717_000_000, model: "o3", prompts: ["Explain this code", "Write unit tests for it"] },
      { id: "d-2", title: "Code again", createTime: 1_717_100_000, prompts: ["explain   THIS code", "Write unit tests for it", "Now refactor it"] },
    ]),
  );
  const corrupt = path.join(dir, "broken.json");
  writeFileSync(corrupt, '[{"id":"x","mapping":{}},{"id":"y","mapping":{"a":]}]');

  it("--dry-run --json prints one JSON object with each file's figures and never opens the database", async () => {
    const dataDir = tempDir("pv-cli-dry-");
    // Any attempt to open a database would fail: nothing listens on port 9.
    const env = { DATA_DIR: dataDir, DATABASE_URL: "postgres://nobody@127.0.0.1:9/none" };
    const run = await cli(["import", SAMPLE, duplicates, corrupt, path.join(FIXTURES, "chatgpt", "conversations-2025.json"), "--user", "x@y.z", "--dry-run", "--json"], env);
    expect(run.stderr).toBe("");
    // A corrupt file makes the exit status 1, after the report.
    expect(run.code).toBe(1);
    expect(run.stdout.endsWith("\n")).toBe(true);
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(run.stdout);
    expect(Object.keys(report)).toEqual(["files"]);
    expect(report.files).toEqual([
      { file: SAMPLE, source: "chatgpt", conversations: 2, prompts: 3, unique: 3, duplicates: 0, skipped: 0, errors: [] },
      { file: duplicates, source: "chatgpt", conversations: 2, prompts: 5, unique: 3, duplicates: 2, skipped: 0, errors: [] },
      { file: corrupt, source: null, conversations: 0, prompts: 0, unique: 0, duplicates: 0, skipped: 0, errors: [{ message: "broken.json: invalid JSON in the item starting at byte 25.", offset: 25, entry: "broken.json" }] },
      {
        file: path.join(FIXTURES, "chatgpt", "conversations-2025.json"),
        source: "chatgpt",
        conversations: 2,
        prompts: 5,
        unique: 5,
        duplicates: 0,
        skipped: 5,
        errors: [],
      },
    ]);
    // The documented field order, for scripts that print it as is.
    expect(Object.keys(report.files[0])).toEqual(["file", "source", "conversations", "prompts", "unique", "duplicates", "skipped", "errors"]);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("--show-prompts adds the extracted prompts in order", async () => {
    const run = await cli(["import", SAMPLE, duplicates, "--dry-run", "--json", "--show-prompts"], { DATA_DIR: tempDir("pv-cli-dry-") });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.files.map((f: { items: unknown[] }) => f.items)).toEqual([
      [
        { text: "Plan me a 2-day trip to Lisbon.", conversation: "Trip planning", createdAt: "2024-03-09T16:00:01.000Z", model: null },
        { text: "Add food suggestions.", conversation: "Trip planning", createdAt: "2024-03-09T16:00:03.000Z", model: null },
        // An untitled conversation is named by its id.
        { text: "No title conversation.", conversation: "conv-2", createdAt: "2024-03-21T05:46:41.000Z", model: null },
      ],
      [
        { text: "Explain this code", conversation: "Code", createdAt: "2024-05-29T16:26:40.250Z", model: "o3" },
        { text: "Write unit tests for it", conversation: "Code", createdAt: "2024-05-29T16:27:40.250Z", model: "o3" },
        { text: "explain   THIS code", conversation: "Code again", createdAt: "2024-05-30T20:13:20.250Z", model: "gpt-4o" },
        { text: "Write unit tests for it", conversation: "Code again", createdAt: "2024-05-30T20:14:20.250Z", model: "gpt-4o" },
        { text: "Now refactor it", conversation: "Code again", createdAt: "2024-05-30T20:15:20.250Z", model: "gpt-4o" },
      ],
    ]);
    expect(report.files[1]).toMatchObject({ prompts: 5, unique: 3, duplicates: 2 });
    expect(Object.keys(report.files[1])).toEqual(["file", "source", "conversations", "prompts", "unique", "duplicates", "skipped", "errors", "items"]);
  });

  it("imports for real into the embedded database under DATA_DIR (slow: three PGlite start-ups, one in a child process)", async () => {
    const dataDir = tempDir("pv-cli-real-");
    const pglite = path.join(dataDir, "pglite");
    // The account, created the way the app creates it, in the same folder (one process at a time).
    let handle = await openDatabase({ driver: "pglite", url: pglite });
    await new AccountService(handle.db).signUp({ email: "cli@example.test", password: "a long enough password" }, { ip: "127.0.0.1" });
    await handle.close();

    const run = await cli(["import", SAMPLE, duplicates, "--user", "CLI@example.test", "--json"], { DATA_DIR: dataDir, DATABASE_URL: undefined });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const session = JSON.parse(run.stdout);
    expect(session).toMatchObject({
      status: "succeeded",
      // A session lists (and processes) its files by name.
      files: [
        { fileName: "conversations.json", status: "succeeded", source: "chatgpt", promptsFound: 5, imported: 3, duplicates: 2, stored: true },
        { fileName: "soulprint_chatgpt_minimal.json", status: "succeeded", source: "chatgpt", promptsFound: 3, imported: 3, duplicates: 0, stored: true },
      ],
      totals: { files: 2, promptsFound: 8, imported: 6, duplicates: 2, failed: 0 },
    });
    // The original files are kept under DATA_DIR/files.
    expect(existsSync(path.join(dataDir, "files", "imports"))).toBe(true);

    handle = await openDatabase({ driver: "pglite", url: pglite, migrate: false });
    try {
      const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, "cli@example.test"));
      const rows = await handle.db.select({ body: prompts.body, useCount: prompts.useCount, source: prompts.source }).from(prompts).where(eq(prompts.userId, user!.id));
      expect(rows.map((r) => [r.body, r.useCount, r.source]).sort()).toEqual(
        [
          ["Add food suggestions.", 1, "chatgpt"],
          ["Explain this code", 2, "chatgpt"],
          ["No title conversation.", 1, "chatgpt"],
          ["Now refactor it", 1, "chatgpt"],
          ["Plan me a 2-day trip to Lisbon.", 1, "chatgpt"],
          ["Write unit tests for it", 2, "chatgpt"],
        ].sort(),
      );
      expect(await handle.db.$count(importSessions, eq(importSessions.userId, user!.id))).toBe(1);
    } finally {
      await handle.close();
    }
  }, 120_000);
});
