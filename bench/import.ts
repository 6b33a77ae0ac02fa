/**
 * `npm run bench:import` — the history importer on ChatGPT exports of realistic size and shape.
 *
 *  1. Generates synthetic `conversations.json` exports into a temp folder (bench/chatgpt-export.ts): about
 *     200 MB and 600 MB, plus a smaller one (--e2e-prompts prompts) for the database part.
 *  2. 200 MB: whole-file `JSON.parse(readFileSync(path, "utf8"))` against our streaming ChatGPT parser, each
 *     in its own child process (bench/import-worker.ts) so peak RSS is that measurement's own; best of --runs.
 *  3. 600 MB: whole-file JSON.parse (expected to fail: V8's ~512 MB string limit) and our parser.
 *  4. End to end through the real ImportService path (createSession → receiveUpload into LocalFileStorage →
 *     start → process) for a user of a fresh, migrated database: an on-disk PGlite in the temp folder, and,
 *     when DATABASE_URL is set, a scratch database created on that server and dropped afterwards (never the
 *     developer's data). Phase 1 (extract to staging) and phase 2 (writing) are timed separately.
 *     Then the database floor: the rows the import wrote, copied for another user by INSERT … SELECT on the
 *     server and rolled back — the database's own cost of storing them, which bounds what any writer reaches.
 *  5. Prints every figure with PASS/FAIL against its target, and the machine.
 *
 * Temp files (the 600 MB export included) are removed at the end, on failure and on Ctrl-C.
 *
 * The importing user is on the Pro plan (--plan to change it): its prompt limit (50,000) is checked in every
 * batch but not reached, so every prompt of the file is written. On Free (500 prompts) almost the whole file
 * would be left out as over the limit and the figures would not measure writing; a run with prompts over the
 * limit is reported as FAIL.
 *
 * Options: --small-mb N (200), --large-mb N (600), --e2e-prompts N (60000), --runs N (3), --no-pglite,
 * --no-large, --no-e2e, --plan free|pro|enterprise (pro), --keep (leave the temp folder).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, type DatabaseHandle } from "../src/server/db/client";
import { PLANS, users, type Plan } from "../src/server/db/schema";
import { getEnv } from "../src/server/env";
import { StagingFile } from "../src/server/services/imports/extract";
import { ImportService } from "../src/server/services/imports/import-service";
import { ImportWriter } from "../src/server/services/imports/writer";
import { LocalFileStorage } from "../src/server/storage/local";
import { ChatGptExportGenerator, type ExportStats } from "./chatgpt-export";
import type { WorkerResult } from "./import-worker";
import { cliOptions, createScratchDatabase, dropScratchDatabases } from "./lib";

const TARGET_RATIO = 1.5; // our parser's throughput / whole-file JSON.parse's, 200 MB file
const TARGET_LARGE_RSS_MB = 350; // our parser's peak RSS on the 600 MB file
const TARGET_PG_PER_S = 6000;
const TARGET_PGLITE_PER_S = 3000;
const MB = 1e6; // decimal megabytes throughout (sizes and MB/s)

const { flag, num, str } = cliOptions();
const options = {
  smallMb: num("small-mb", 200),
  largeMb: num("large-mb", 600),
  e2ePrompts: num("e2e-prompts", 60_000),
  runs: Math.max(1, num("runs", 3)),
  plan: str("plan", "pro") as Plan,
};
if (!PLANS.includes(options.plan)) throw new Error(`--plan must be one of ${PLANS.join(", ")}`);

const ROOT = path.resolve(import.meta.dirname, "..");
const WORKER = path.join(ROOT, "bench", "import-worker.ts");

// ---- temp folder and scratch database, cleaned up whatever happens ------------------------------------

const tmp = mkdtempSync(path.join(os.tmpdir(), "pv-bench-import-"));
const children = new Set<ReturnType<typeof spawn>>();
let cleaned = false;

function removeTemp() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill("SIGKILL");
  if (!flag("keep")) rmSync(tmp, { recursive: true, force: true });
}

process.on("exit", removeTemp);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void dropScratchDatabases().finally(() => {
      removeTemp();
      process.exit(130);
    });
  });
}

// ---- helpers ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) => n.toLocaleString("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => bytes / MB;
const log = (line: string) => console.log(line);

function runWorker(mode: string, file?: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", WORKER, mode, ...(file ? [file] : [])], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      children.delete(child);
      const line = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(line) as WorkerResult);
      } catch {
        // A child killed by the OS (e.g. out of memory) prints nothing useful.
        resolve({ ok: false, mode, error: `child exited with ${signal ?? `code ${code}`}: ${err.trim().split("\n").slice(-3).join(" / ") || "no output"}`, maxRssMb: NaN, hwmMb: null });
      }
    });
  });
}

const peak = (r: WorkerResult) => Math.max(r.maxRssMb, r.hwmMb ?? 0);

/** `runs` measurements of each mode, interleaved (the machine's noise hits both alike); best time, highest peak. */
async function measure(file: string, modes: string[], runs: number): Promise<Map<string, { best: WorkerResult; all: WorkerResult[] }>> {
  const results = new Map<string, WorkerResult[]>(modes.map((m) => [m, []]));
  for (let run = 0; run < runs; run++) {
    for (const mode of modes) {
      const r = await runWorker(mode, file);
      results.get(mode)!.push(r);
      log(`    ${mode.padEnd(10)} run ${run + 1}/${runs}: ${r.ok ? `${fmt(r.ms! / 1000, 2)} s (CPU ${fmt(r.cpuMs! / 1000, 2)} s)` : `failed (${r.error})`}, peak RSS ${fmt(peak(r))} MB`);
    }
  }
  const out = new Map<string, { best: WorkerResult; all: WorkerResult[] }>();
  for (const [mode, all] of results) {
    const ok = all.filter((r) => r.ok);
    const best = ok.length > 0 ? ok.reduce((a, b) => (a.ms! <= b.ms! ? a : b)) : all[0]!;
    const cpuMs = ok.length > 0 ? Math.min(...ok.map((r) => r.cpuMs ?? Infinity)) : best.cpuMs;
    out.set(mode, { best: { ...best, cpuMs, maxRssMb: Math.max(...all.map((r) => r.maxRssMb)), hwmMb: Math.max(...all.map((r) => r.hwmMb ?? 0)) }, all });
  }
  return out;
}

// ---- end to end ----------------------------------------------------------------------------------------

type E2E = {
  label: string;
  prompts: number;
  conversations: number;
  created: number;
  duplicates: number;
  overLimit: number;
  uploadS: number;
  extractS: number;
  writeS: number;
  writerS: number;
  batches: number;
  totalS: number;
  rows: { prompts: number; occurrences: number; versions: number; signatures: number };
  floor: Floor;
  status: string;
  error?: string;
};

// Phase boundaries, observed without touching the service: phase 1 ends when the staging file is finished,
// and phase 2 is every writeBatch after it (the time inside the writer is summed separately).
const phase = { stagingFinishedAt: 0, writerMs: 0, batches: 0 };
{
  const finish = StagingFile.prototype.finish;
  StagingFile.prototype.finish = async function (this: StagingFile) {
    await finish.call(this);
    phase.stagingFinishedAt = performance.now();
  };
  const writeBatch = ImportWriter.prototype.writeBatch;
  ImportWriter.prototype.writeBatch = async function (this: ImportWriter, batch) {
    const t0 = performance.now();
    try {
      return await writeBatch.call(this, batch);
    } finally {
      phase.writerMs += performance.now() - t0;
      phase.batches++;
    }
  };
}

async function count(handle: DatabaseHandle, table: string): Promise<number> {
  const result = (await handle.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as { rows: { n: number }[] };
  return result.rows[0]!.n;
}

/** Seconds the database itself takes to store the rows an import wrote (see measureFloor). */
type Floor = { prompts: number; versions: number; signatures: number; occurrences: number; total: number };

/**
 * The database's own share of an import: the rows the import wrote (prompts, versions, signatures,
 * occurrences) copied for another user with INSERT … SELECT on the server, every index and constraint in
 * place, then rolled back. No client work, parameters, round trips or de-duplication: no writer can store
 * these rows faster on this machine, so upload + extract + this time bounds end-to-end prompts/s.
 */
async function measureFloor(handle: DatabaseHandle, userId: string): Promise<Floor> {
  const floor: Floor = { prompts: 0, versions: 0, signatures: 0, occurrences: 0, total: 0 };
  const rollback = new Error("rollback");
  await handle.db
    .transaction(async (tx) => {
      const timed = async (key: Exclude<keyof Floor, "total">, statement: ReturnType<typeof sql>) => {
        const t0 = performance.now();
        await tx.execute(statement);
        floor[key] = (performance.now() - t0) / 1000;
      };
      const [copy] = await tx.insert(users).values({ email: `bench-floor-${randomBytes(4).toString("hex")}@example.test`, displayName: "Bench floor", plan: options.plan }).returning({ id: users.id });
      const to = copy!.id;
      await timed(
        "prompts",
        sql`insert into prompts (user_id, title, body, source, source_detail, fingerprint, use_count, current_version, created_at, updated_at)
            select ${to}, title, body, source, source_detail, fingerprint, use_count, current_version, created_at, updated_at from prompts where user_id = ${userId}`,
      );
      // Old prompt id → new one, by fingerprint (unique per user), for the rows that point at prompts.
      await tx.execute(sql`create temp table floor_ids on commit drop as
            select o.id as old_id, n.id as new_id from prompts o join prompts n on n.fingerprint = o.fingerprint and n.user_id = ${to} where o.user_id = ${userId}`);
      await timed(
        "versions",
        sql`insert into prompt_versions (prompt_id, user_id, number, title, body, message, author_id, created_at)
            select m.new_id, ${to}, v.number, v.title, v.body, v.message, ${to}, v.created_at from prompt_versions v join floor_ids m on m.old_id = v.prompt_id`,
      );
      await timed(
        "signatures",
        sql`insert into prompt_signatures (prompt_id, user_id, minhash, bands) select m.new_id, ${to}, s.minhash, s.bands from prompt_signatures s join floor_ids m on m.old_id = s.prompt_id`,
      );
      await timed(
        "occurrences",
        sql`insert into prompt_occurrences (user_id, prompt_id, import_file_id, source, occurrence_key, conversation_id, conversation_title, model, occurred_at, position, active_branch, variant_text, is_first)
            select ${to}, m.new_id, o.import_file_id, o.source, o.occurrence_key, o.conversation_id, o.conversation_title, o.model, o.occurred_at, o.position, o.active_branch, o.variant_text, o.is_first
            from prompt_occurrences o join floor_ids m on m.old_id = o.prompt_id`,
      );
      throw rollback;
    })
    .catch((error) => {
      if (error !== rollback) throw error;
    });
  floor.total = floor.prompts + floor.versions + floor.signatures + floor.occurrences;
  return floor;
}

async function importEndToEnd(label: string, handle: DatabaseHandle, file: string, bytes: number): Promise<E2E> {
  const [user] = await handle.db.insert(users).values({ email: `bench-import-${randomBytes(4).toString("hex")}@example.test`, displayName: "Bench import", plan: options.plan }).returning({ id: users.id });
  const storage = new LocalFileStorage(mkdtempSync(path.join(tmp, "storage-")));
  const service = new ImportService(handle.db, user!.id, storage);
  phase.stagingFinishedAt = 0;
  phase.writerMs = 0;
  phase.batches = 0;

  const t0 = performance.now();
  const { uploads, ...session } = await service.createSession({ files: [{ name: "conversations.json", size: bytes }] });
  await service.receiveUpload(session.id, uploads[0]!.fileId, createReadStream(file, { highWaterMark: 1 << 20 }));
  const t1 = performance.now();
  await service.start(session.id);
  const done = await service.process(session.id);
  const t2 = performance.now();
  const f = done.files[0]!;
  const extractEnd = phase.stagingFinishedAt || t2;
  return {
    label,
    prompts: f.promptsFound,
    conversations: f.conversations,
    created: f.imported,
    duplicates: f.duplicates,
    overLimit: f.overLimit,
    uploadS: (t1 - t0) / 1000,
    extractS: (extractEnd - t1) / 1000,
    writeS: (t2 - extractEnd) / 1000,
    writerS: phase.writerMs / 1000,
    batches: phase.batches,
    totalS: (t2 - t0) / 1000,
    rows: {
      prompts: await count(handle, "prompts"),
      occurrences: await count(handle, "prompt_occurrences"),
      versions: await count(handle, "prompt_versions"),
      signatures: await count(handle, "prompt_signatures"),
    },
    floor: await measureFloor(handle, user!.id),
    status: f.status,
    error: f.errors[0]?.message,
  };
}

function reportE2E(r: E2E) {
  log(
    `  ${r.label}: ${r.status}${r.error ? ` (${r.error})` : ""}; ${fmt(r.prompts)} prompts in ${fmt(r.conversations)} conversations → ${fmt(r.created)} new prompts, ${fmt(r.duplicates)} folded as duplicates, ${fmt(r.overLimit)} over the ${options.plan} plan's limit`,
  );
  log(
    `    upload ${fmt(r.uploadS, 1)} s, phase 1 (extract) ${fmt(r.extractS, 1)} s, phase 2 (write) ${fmt(r.writeS, 1)} s (${fmt(r.writerS, 1)} s in ${r.batches} writeBatch calls), total ${fmt(r.totalS, 1)} s`,
  );
  log(`    rows: ${fmt(r.rows.prompts)} prompts, ${fmt(r.rows.versions)} versions, ${fmt(r.rows.signatures)} signatures, ${fmt(r.rows.occurrences)} occurrences`);
  const f = r.floor;
  log(
    `    database floor (the same rows by INSERT … SELECT on the server, rolled back): ${fmt(f.total, 1)} s (prompts ${fmt(f.prompts, 1)}, versions ${fmt(f.versions, 1)}, signatures ${fmt(f.signatures, 1)}, occurrences ${fmt(f.occurrences, 1)}); ` +
      `the writer took ${fmt(r.writeS / f.total, 2)}× it`,
  );
}

async function onPglite(file: string, bytes: number): Promise<E2E> {
  const dir = mkdtempSync(path.join(tmp, "pglite-"));
  const handle = await openDatabase({ driver: "pglite", url: dir });
  try {
    return await importEndToEnd(`PGlite (on disk, fresh, migrated)`, handle, file, bytes);
  } finally {
    await handle.close();
  }
}

async function onPostgres(serverUrl: string, file: string, bytes: number): Promise<E2E> {
  const scratch = await createScratchDatabase(serverUrl, "pv_bench_import");
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase({ driver: "pg", url: scratch.url, max: 4 });
    return await importEndToEnd(`Postgres (${new URL(scratch.url).host}, scratch database ${scratch.name})`, handle, file, bytes);
  } finally {
    await handle?.close();
    await scratch.drop();
  }
}

// ---- table -----------------------------------------------------------------------------------------------

type Row = { what: string; figure: string; target: string; result: string };

function table(rows: Row[]): string {
  const head: Row = { what: "measurement", figure: "figure", target: "target", result: "result" };
  const cols = ["what", "figure", "target", "result"] as const;
  const widths = cols.map((c) => Math.max(...[head, ...rows].map((r) => r[c].length)));
  const line = (r: Row) => cols.map((c, i) => r[c].padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const passFail = (ok: boolean) => (ok ? "PASS" : "FAIL");

// ---- main ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpus = os.cpus();
  const machine = `node ${process.version}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown"}), ${fmt(os.totalmem() / 1024 ** 3, 1)} GB RAM, ${os.platform()} ${os.release()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`;
  log(`bench:import — ${machine}`);
  log(`temp folder: ${tmp}`);
  const serverUrl = getEnv().DATABASE_URL;
  const rows: Row[] = [];

  // 1. Exports.
  log(`\n== Generating synthetic ChatGPT exports`);
  const describe = (s: ExportStats) =>
    `${path.basename(s.path)}: ${fmt(mb(s.bytes), 1)} MB, ${fmt(s.conversations)} conversations (avg ${fmt(s.bytes / s.conversations / 1024, 1)} KB, ${fmt(s.nodes / s.conversations, 1)} nodes), ` +
    `${fmt(s.prompts)} prompts (avg ${fmt(s.promptChars / s.prompts)} chars; ${fmt((100 * s.followUps) / s.prompts, 1)}% follow-ups, ${fmt((100 * s.exactRepeats) / s.prompts, 1)}% reused verbatim, ` +
    `${fmt((100 * s.nearRepeats) / s.prompts, 1)}% reused edited, ${fmt((100 * s.abandonedPrompts) / s.prompts, 1)}% on abandoned branches, ${fmt((100 * s.multimodal) / s.prompts, 1)}% with an image) ` +
    `in ${fmt(s.seconds, 1)} s (${fmt(mb(s.bytes) / s.seconds)} MB/s)`;
  const small = new ChatGptExportGenerator(1).write({ path: path.join(tmp, "conversations-small.json"), targetBytes: options.smallMb * 1e6 });
  log(`  ${describe(small)}`);
  const large = flag("no-large") ? undefined : new ChatGptExportGenerator(2).write({ path: path.join(tmp, "conversations-large.json"), targetBytes: options.largeMb * 1e6 });
  if (large) log(`  ${describe(large)}`);
  const e2e = flag("no-e2e") ? undefined : new ChatGptExportGenerator(3).write({ path: path.join(tmp, "conversations-e2e.json"), targetPrompts: options.e2ePrompts });
  if (e2e) log(`  ${describe(e2e)}`);

  // 2. 200 MB: JSON.parse against ours.
  log(`\n== Parsing ${path.basename(small.path)} (${fmt(mb(small.bytes))} MB), each run in its own child process, best of ${options.runs}`);
  const idle = await runWorker("idle");
  log(`    idle child (tsx + importer loaded, nothing read): peak RSS ${fmt(peak(idle))} MB`);
  const smallRuns = await measure(small.path, ["json-parse", "ours"], options.runs);
  const base = smallRuns.get("json-parse")!.best;
  const ours = smallRuns.get("ours")!.best;
  const baseRate = base.ok ? mb(small.bytes) / (base.ms! / 1000) : NaN;
  const oursRate = ours.ok ? mb(small.bytes) / (ours.ms! / 1000) : NaN;
  const ratio = oursRate / baseRate;
  const cpuRatio = base.ok && ours.ok ? base.cpuMs! / ours.cpuMs! : NaN;
  if (ours.ok && ours.prompts !== small.prompts) log(`  WARNING: the parser found ${ours.prompts} prompts, the generator wrote ${small.prompts}`);
  rows.push(
    {
      what: `${fmt(options.smallMb)} MB: JSON.parse(readFileSync) whole file`,
      figure: base.ok ? `${fmt(base.ms! / 1000, 2)} s, ${fmt(baseRate)} MB/s, peak RSS ${fmt(peak(base))} MB (CPU ${fmt(base.cpuMs! / 1000, 2)} s)` : `failed: ${base.error}`,
      target: "(baseline)",
      result: "",
    },
    {
      what: `${fmt(options.smallMb)} MB: our ChatGPT parser`,
      figure: ours.ok ? `${fmt(ours.ms! / 1000, 2)} s, ${fmt(oursRate)} MB/s, peak RSS ${fmt(peak(ours))} MB (CPU ${fmt(ours.cpuMs! / 1000, 2)} s), ${fmt(ours.prompts!)} prompts` : `failed: ${ours.error}`,
      target: "",
      result: "",
    },
    { what: `${fmt(options.smallMb)} MB: ours / JSON.parse throughput`, figure: `${fmt(ratio, 2)}× wall-clock (${fmt(cpuRatio, 2)}× in CPU time)`, target: `≥ ${TARGET_RATIO}×`, result: passFail(ratio >= TARGET_RATIO) },
  );

  // 3. 600 MB.
  if (large) {
    log(`\n== Parsing ${path.basename(large.path)} (${fmt(mb(large.bytes))} MB)`);
    const largeBase = (await measure(large.path, ["json-parse"], 1)).get("json-parse")!.best;
    const largeOurs = (await measure(large.path, ["ours"], Math.min(2, options.runs))).get("ours")!.best;
    const largeRate = largeOurs.ok ? mb(large.bytes) / (largeOurs.ms! / 1000) : NaN;
    if (largeOurs.ok && largeOurs.prompts !== large.prompts) log(`  WARNING: the parser found ${largeOurs.prompts} prompts, the generator wrote ${large.prompts}`);
    rows.push(
      {
        what: `${fmt(options.largeMb)} MB: JSON.parse(readFileSync) whole file`,
        figure: largeBase.ok ? `succeeded in ${fmt(largeBase.ms! / 1000, 2)} s, peak RSS ${fmt(peak(largeBase))} MB` : `fails after ${fmt(largeBase.ms! / 1000, 2)} s: ${largeBase.error}${largeBase.errorCode ? ` [${largeBase.errorCode}]` : ""}`,
        target: "expected to fail",
        result: largeBase.ok ? "unexpected" : "as expected",
      },
      {
        what: `${fmt(options.largeMb)} MB: our ChatGPT parser`,
        figure: largeOurs.ok ? `${fmt(largeOurs.ms! / 1000, 2)} s, ${fmt(largeRate)} MB/s (CPU ${fmt(largeOurs.cpuMs! / 1000, 2)} s), ${fmt(largeOurs.prompts!)} prompts` : `failed: ${largeOurs.error}`,
        target: "",
        result: largeOurs.ok ? "" : "FAIL",
      },
      { what: `${fmt(options.largeMb)} MB: our parser's peak RSS`, figure: `${fmt(peak(largeOurs))} MB`, target: `≤ ${TARGET_LARGE_RSS_MB} MB`, result: passFail(largeOurs.ok && peak(largeOurs) <= TARGET_LARGE_RSS_MB) },
    );
  }

  // 4. End to end.
  if (e2e) {
    log(`\n== End to end through ImportService: ${path.basename(e2e.path)} (${fmt(mb(e2e.bytes))} MB, ${fmt(e2e.prompts)} prompts), search indexes in place (migrations), user on the ${options.plan} plan`);
    const targets: { run: () => Promise<E2E>; target: number; name: string }[] = [];
    if (!flag("no-pglite")) targets.push({ name: "PGlite", target: TARGET_PGLITE_PER_S, run: () => onPglite(e2e.path, e2e.bytes) });
    if (serverUrl) targets.push({ name: "Postgres", target: TARGET_PG_PER_S, run: () => onPostgres(serverUrl, e2e.path, e2e.bytes) });
    else log("  (DATABASE_URL not set: Postgres skipped)");
    for (const t of targets) {
      const r = await t.run();
      reportE2E(r);
      // Prompts left out over the plan's limit were not written: the figures would not measure writing.
      const ok = r.status === "succeeded" && r.overLimit === 0;
      if (r.overLimit > 0) log(`  FAIL: ${fmt(r.overLimit)} prompts were over the ${options.plan} plan's prompt limit and not written (use --plan enterprise or a smaller --e2e-prompts)`);
      const total = r.prompts / r.totalS;
      const write = r.prompts / r.writeS;
      rows.push(
        { what: `${t.name}: phase 2 (write) prompts/s`, figure: ok ? `${fmt(write)} /s (${fmt(r.writeS, 1)} s)` : r.overLimit > 0 ? "over the plan's limit" : r.status, target: `(≥ ${fmt(t.target)} /s)`, result: ok ? `(${passFail(write >= t.target)})` : "FAIL" },
        {
          what: `${t.name}: end-to-end prompts/s`,
          figure: ok ? `${fmt(total)} /s (${fmt(r.prompts)} prompts in ${fmt(r.totalS, 1)} s: upload ${fmt(r.uploadS, 1)} + extract ${fmt(r.extractS, 1)} + write ${fmt(r.writeS, 1)})` : r.overLimit > 0 ? "over the plan's limit" : r.status,
          target: `≥ ${fmt(t.target)} /s`,
          result: passFail(ok && total >= t.target),
        },
        {
          what: `${t.name}: ceiling on this machine`,
          figure: `${fmt(r.prompts / (r.uploadS + r.extractS + r.floor.total))} /s (upload + extract + database floor ${fmt(r.floor.total, 1)} s; we reach ${fmt((100 * (r.uploadS + r.extractS + r.floor.total)) / r.totalS)}% of it)`,
          target: "",
          result: "",
        },
      );
    }
  }

  log(`\n== Results (${machine}; load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")})\n`);
  log(table(rows));
  log(`\nEnd-to-end prompts/s = prompts found in the file / wall time from createSession to the end of process (upload included); phase 2 in parentheses for reference.`);
  log(`Ceiling = the same prompts / (upload + extract + the database floor): what a writer with no client work, round trips or de-duplication would reach.`);
}

main()
  .catch(async (error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await dropScratchDatabases();
    removeTemp();
  });
