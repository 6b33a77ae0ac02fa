/**
 * `npm run bench:share` — the public share page (/s/{slug}) under load, and what it costs a visitor to load.
 *
 * Needs a production build (`npm run build`); it does not build. Starts `next start` on a free port with a
 * fresh temporary DATA_DIR (the embedded PGlite), creates a user, a prompt and a share link through the HTTP
 * API, warms up, then drives GET /s/{slug} from 50 concurrent keep-alive clients and prints the latency
 * percentiles and throughput. First-load JavaScript = every script the page references (and any inline one),
 * fetched and gzipped. With DATABASE_URL set, it repeats on a scratch database created on that server and
 * dropped afterwards (never the developer's data).
 *
 * Options: --requests N (default 3000, at least 2000), --concurrency N (default 50), --warmup N (default 500),
 * --no-pglite.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { gzipSync } from "node:zlib";
import { getEnv } from "../src/server/env";
import { cliOptions, createScratchDatabase } from "./lib";

const TARGET_P50_MS = 20;
const TARGET_FIRST_LOAD_GZIP_KB = 120;

const { flag, num } = cliOptions();
const options = {
  requests: Math.max(2000, num("requests", 3000)),
  concurrency: num("concurrency", 50),
  warmup: num("warmup", 500),
  sequential: 200,
};

const root = path.resolve(import.meta.dirname, "..");

// What to undo if the run is interrupted: the detached server, its data folder, the scratch database.
const cleanups: (() => Promise<void>)[] = [];
process.once("SIGINT", () => {
  void (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
    process.exit(130);
  })();
});
const buildDir = path.join(root, ".next");

// ---- the server ---------------------------------------------------------------------------------------------

type Server = { baseURL: string; stop: () => Promise<void> };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

function requireBuild(): string {
  const buildIdFile = path.join(buildDir, "BUILD_ID");
  if (!existsSync(buildIdFile)) {
    console.error(`No production build in ${buildDir}. Run \`npm run build\` first, then \`npm run bench:share\`.`);
    process.exit(2);
  }
  const builtAt = statSync(buildIdFile).mtimeMs;
  const newest = newestMtime(path.join(root, "src"));
  if (newest > builtAt) {
    console.warn(`Warning: src/ changed after the build (${new Date(builtAt).toISOString()}); the figures are for the build, not the working tree.`);
  }
  return readFileSync(buildIdFile, "utf8").trim();
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

async function startServer(databaseUrl: string | undefined): Promise<Server> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "promptvault-bench-share-"));
  const port = await freePort();
  // Keys set to "" rather than deleted: Next loads .env files at start but never overrides a variable that is
  // present, so a developer's .env cannot point the benchmark at their own database or services.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: databaseUrl ?? "", DATABASE_DRIVER: "" };
  for (const key of ["CLERK_SECRET_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "BLOB_READ_WRITE_TOKEN", "APP_URL"]) env[key] = "";
  let output = "";
  const child: ChildProcess = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, detached: true });
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  cleanups.push(stop);
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    }
    try {
      if ((await fetch(`${baseURL}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`The app did not become healthy at ${baseURL}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { baseURL, stop };
}

// ---- the data, through the HTTP API -------------------------------------------------------------------------

const PROMPT = {
  title: "Turn a meeting transcript into crisp notes",
  body: [
    "You are an assistant who writes meeting notes for {{audience}}.",
    "",
    "From the transcript below, write: a two-sentence summary; the decisions made, each with its owner; the open",
    "questions; and the action items as a checklist with owners and due dates. Keep the tone {{tone}}. Do not",
    "invent anything that is not in the transcript; mark anything unclear with [?].",
    "",
    "Transcript:",
    "{{transcript}}",
  ].join("\n"),
  parameters: [
    { name: "audience", type: "text", required: true, description: "Who reads the notes" },
    { name: "tone", type: "enum", options: ["neutral", "friendly", "formal"], default: "neutral" },
    { name: "transcript", type: "text", required: true },
  ],
};

async function api(baseURL: string, pathname: string, body: unknown, cookie?: string) {
  const res = await fetch(`${baseURL}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(cookie && { cookie }) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${pathname}: ${res.status} ${await res.text()}`);
  return { json: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function createShareLink(baseURL: string): Promise<{ slug: string; id: string; cookie: string }> {
  const signUp = await api(baseURL, "/api/auth/sign-up", { email: `bench-${randomBytes(4).toString("hex")}@example.test`, password: "correct horse battery" });
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const prompt = await api(baseURL, "/api/prompts", PROMPT, cookie);
  const share = await api(baseURL, "/api/shares", { promptId: prompt.json.id }, cookie);
  return { slug: String(share.json.slug), id: String(share.json.id), cookie };
}

// ---- load -----------------------------------------------------------------------------------------------------

// node:http with a keep-alive agent rather than fetch: the client shares the machine's CPUs with the server,
// and the lighter the client, the less of each figure is the client's own overhead.
function get(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { "user-agent": "Mozilla/5.0 (bench:share)" } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

type Run = { latencies: number[]; statuses: Map<number, number>; seconds: number };

async function drive(url: URL, requests: number, concurrency: number, shared?: http.Agent): Promise<Run> {
  const agent = shared ?? new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < requests) {
        issued++;
        const t0 = performance.now();
        const status = await get(agent, url);
        latencies.push(performance.now() - t0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (!shared) agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), statuses, seconds };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const statusText = (s: Map<number, number>) => [...s].map(([code, n]) => `${n} × ${code}`).join(", ");

// ---- first-load JavaScript --------------------------------------------------------------------------------------

async function firstLoadJs(baseURL: string, pageUrl: URL): Promise<{ total: number; lines: string[] }> {
  const html = await (await fetch(pageUrl)).text();
  if (!html.includes('id="prompt"')) throw new Error("The share page did not render the prompt; is the link still active?");
  let total = 0;
  const lines: string[] = [];
  let inline = 0;
  for (const [, attrs, content] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = attrs!.match(/\bsrc=["']([^"']+)["']/i)?.[1];
    if (src) {
      const res = await fetch(new URL(src, baseURL));
      if (!res.ok) throw new Error(`${src}: ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      const gz = gzipSync(bytes).length;
      total += gz;
      lines.push(`${src}: ${kb(gz)} gzip (${kb(bytes.length)} raw)`);
    } else if (content!.trim()) {
      const gz = gzipSync(Buffer.from(content!)).length;
      total += gz;
      inline++;
      lines.push(`inline script #${inline}: ${kb(gz)} gzip`);
    }
  }
  if (lines.length === 0) lines.push("no scripts");
  return { total, lines };
}

// ---- one database -------------------------------------------------------------------------------------------------

type Verdict = { label: string; p50: number; firstLoad: number };

async function benchmark(label: string, databaseUrl: string | undefined): Promise<Verdict> {
  console.log(`\n${label}`);
  const server = await startServer(databaseUrl);
  try {
    const link = await createShareLink(server.baseURL);
    const pageUrl = new URL(`/s/${link.slug}`, server.baseURL);
    console.log(`  link: ${pageUrl.pathname} (latest version, no view limit)`);

    // One pool of keep-alive connections for the warm-up and the measurement, as returning browsers would
    // have: under saturation a burst of brand-new connections waits seconds to be served in turn, which is
    // a property of the closed loop, not of the page.
    const clients = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
    await drive(pageUrl, 20, 1);
    await drive(pageUrl, options.warmup, options.concurrency, clients);
    // The framework's own floor for a route with one trivial query, for scale.
    const healthUrl = new URL("/api/health", server.baseURL);
    await drive(healthUrl, 20, 1);
    const floor = await drive(healthUrl, options.sequential, 1);
    const single = await drive(pageUrl, options.sequential, 1);
    const loaded = await drive(pageUrl, options.requests, options.concurrency, clients);
    clients.destroy();
    const js = await firstLoadJs(server.baseURL, pageUrl);

    // Every GET above was a counted view: the count must match exactly, under load too.
    const expectedViews = 20 + options.warmup + options.sequential + options.requests + 1;
    const share = await (await fetch(new URL(`/api/shares/${link.id}`, server.baseURL), { headers: { cookie: link.cookie } })).json();

    const l = loaded.latencies;
    const rate = l.length / loaded.seconds;
    console.log(`  GET /api/health, 1 client:   p50 ${ms(percentile(floor.latencies, 50))}  p95 ${ms(percentile(floor.latencies, 95))}  (framework floor, one "select 1")`);
    console.log(`  1 client, ${single.latencies.length} requests:    p50 ${ms(percentile(single.latencies, 50))}  p95 ${ms(percentile(single.latencies, 95))}`);
    console.log(
      `  ${options.concurrency} clients, ${l.length} requests:  p50 ${ms(percentile(l, 50))}  p95 ${ms(percentile(l, 95))}  p99 ${ms(percentile(l, 99))}  max ${ms(l.at(-1)!)}  ` +
        `${rate.toFixed(0)} req/s  [${statusText(loaded.statuses)}]`,
    );
    // Little's law: with every client always waiting, the mean latency is clients / throughput.
    console.log(`  saturated: ${ms(1000 / rate)} of server time per request → mean latency ≈ ${options.concurrency} / ${rate.toFixed(0)} req/s = ${ms((options.concurrency / rate) * 1000)}`);
    console.log(`  views counted: ${share.viewCount} of ${expectedViews} opens${share.viewCount === expectedViews ? "" : "  ← MISMATCH"}`);
    console.log(`  first-load JS: ${js.lines.join("; ")} → total ${kb(js.total)} gzip`);
    const p50 = percentile(l, 50);
    console.log(`  p50 ≤ ${TARGET_P50_MS} ms under ${options.concurrency} clients: ${p50 <= TARGET_P50_MS ? "PASS" : "FAIL"} (${ms(p50)})`);
    console.log(`  first-load JS ≤ ${TARGET_FIRST_LOAD_GZIP_KB} KB gzip: ${js.total <= TARGET_FIRST_LOAD_GZIP_KB * 1024 ? "PASS" : "FAIL"} (${kb(js.total)})`);
    if (share.viewCount !== expectedViews || loaded.statuses.size !== 1 || !loaded.statuses.has(200)) process.exitCode = 1;
    return { label, p50, firstLoad: js.total };
  } finally {
    await server.stop();
  }
}

async function onPostgres(serverUrl: string): Promise<void> {
  const scratch = await createScratchDatabase(serverUrl, "pv_bench_share");
  cleanups.push(scratch.drop);
  try {
    await benchmark(`Postgres (${new URL(scratch.url).host}, scratch database ${scratch.name})`, scratch.url);
  } finally {
    await scratch.drop();
  }
}

async function main(): Promise<void> {
  const buildId = requireBuild();
  console.log(
    `Share page benchmark: next start (build ${buildId}), ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)}; ` +
      `${options.requests} GET /s/{slug} from ${options.concurrency} keep-alive clients after ${options.warmup} warm-up requests`,
  );
  if (!flag("no-pglite")) await benchmark("PGlite (embedded, fresh DATA_DIR)", undefined);
  const serverUrl = getEnv().DATABASE_URL;
  if (serverUrl) await onPostgres(serverUrl);
  else console.log("\n(DATABASE_URL not set: Postgres skipped)");
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
