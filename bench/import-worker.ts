/**
 * Child process of `bench/import.ts`: one measurement per process, so its peak RSS is its own.
 *
 *   tsx bench/import-worker.ts idle                 → RSS of a child that has loaded the importer and read nothing
 *   tsx bench/import-worker.ts json-parse <file>    → JSON.parse(readFileSync(file, "utf8")) of the whole file
 *   tsx bench/import-worker.ts ours <file>          → the ChatGPT parser over fileEntry(file), counting prompts
 *
 * Prints one JSON line: { ok, ms, maxRssMb, hwmMb, ... } (or { ok: false, error }).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileEntry } from "../src/server/importers/core/entries";
import { chatGptParser } from "../src/server/importers/parsers/chatgpt";

export type WorkerResult = {
  ok: boolean;
  mode: string;
  ms?: number;
  /** CPU time of the measurement (user + system, all threads), ms. */
  cpuMs?: number;
  conversations?: number;
  prompts?: number;
  skipped?: number;
  error?: string;
  errorCode?: string;
  /** process.resourceUsage().maxRSS, in MB. */
  maxRssMb: number;
  /** VmHWM from /proc/self/status, in MB (Linux). */
  hwmMb: number | null;
};

function peaks(): { maxRssMb: number; hwmMb: number | null } {
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  let hwmMb: number | null = null;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (m) hwmMb = Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return { maxRssMb, hwmMb };
}

async function run(mode: string, file: string | undefined): Promise<WorkerResult> {
  if (mode === "idle") return { ok: true, mode, ...peaks() };
  if (!file) throw new Error("missing file argument");
  const c0 = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(c0);
    return (used.user + used.system) / 1000;
  };
  if (mode === "json-parse") {
    const t0 = performance.now();
    try {
      const value = JSON.parse(readFileSync(file, "utf8")) as unknown[];
      const ms = performance.now() - t0;
      return { ok: true, mode, ms, cpuMs: cpuMs(), conversations: value.length, ...peaks() };
    } catch (error) {
      const e = error as Error & { code?: string };
      return { ok: false, mode, ms: performance.now() - t0, cpuMs: cpuMs(), error: `${e.name}: ${e.message}`, errorCode: e.code, ...peaks() };
    }
  }
  if (mode === "ours") {
    const t0 = performance.now();
    const entry = await fileEntry(file, path.basename(file));
    let conversations = 0;
    let prompts = 0;
    let skipped = 0;
    for await (const event of chatGptParser.parse(entry, { sibling: () => undefined })) {
      if (event.kind === "prompt") prompts++;
      else if (event.kind === "conversation") conversations++;
      else skipped += event.count ?? 1;
    }
    return { ok: true, mode, ms: performance.now() - t0, cpuMs: cpuMs(), conversations, prompts, skipped, ...peaks() };
  }
  throw new Error(`unknown mode ${mode}`);
}

run(process.argv[2] ?? "", process.argv[3])
  .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
  .catch((error: Error) => {
    process.stdout.write(`${JSON.stringify({ ok: false, mode: process.argv[2], error: `${error.name}: ${error.message}`, ...peaks() })}\n`);
    process.exitCode = 1;
  });
