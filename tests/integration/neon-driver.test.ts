import { randomBytes } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { neonConfig } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import pg from "pg";
import ws, { WebSocketServer } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type DatabaseHandle } from "../../src/server/db/client";
import { pgErrorCode } from "../../src/server/db/errors";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { createUser } from "../helpers/factories";

/**
 * The Neon serverless driver, for real: it speaks the Postgres wire protocol over a WebSocket, which Neon
 * terminates in its own proxy. Here a few lines of `ws` play that proxy (WebSocket in, TCP to the local
 * Postgres out), so `openDatabase({ driver: "neon" })` — migrations under the advisory lock, service
 * transactions, search — runs through the same code path as on Neon, minus TLS.
 */

type WsProxy = { port: number; connections: () => number; close: () => Promise<void> };

/** Same contract as Neon's wsproxy: `/v2?address=host:port`, bytes piped both ways, one TCP socket per WebSocket. */
async function startWsProxy(): Promise<WsProxy> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  const sockets = new Set<net.Socket>();
  let connections = 0;
  server.on("connection", (socket, request) => {
    connections += 1;
    const address = new URL(request.url ?? "/", "http://proxy").searchParams.get("address") ?? "";
    const colon = address.lastIndexOf(":");
    const tcp = net.connect({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)) });
    sockets.add(tcp);
    socket.binaryType = "nodebuffer";
    // net.Socket buffers writes made before it is connected, so the startup message is never lost.
    socket.on("message", (data) => tcp.write(data as Buffer));
    tcp.on("data", (chunk) => socket.send(chunk));
    tcp.on("close", () => {
      sockets.delete(tcp);
      socket.close();
    });
    tcp.on("error", () => socket.terminate());
    socket.on("close", () => tcp.end());
    socket.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// neonConfig is process-wide (and vitest reuses this worker for other files): change it here, put it back after.
const NEON_KEYS = ["wsProxy", "useSecureWebSocket", "pipelineTLS", "pipelineConnect", "webSocketConstructor"] as const;

describe.skipIf(!process.env.TEST_DATABASE_URL)("Neon serverless driver through a WebSocket proxy", () => {
  const serverUrl = process.env.TEST_DATABASE_URL!;
  const dbName = `pv_neon_${randomBytes(5).toString("hex")}`;
  let saved: Record<string, unknown>;
  let proxy: WsProxy;
  let dbUrl: string;
  let handle: DatabaseHandle;

  async function admin(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    saved = Object.fromEntries(NEON_KEYS.map((k) => [k, neonConfig[k]]));
    proxy = await startWsProxy();
    neonConfig.wsProxy = (host, port) => `127.0.0.1:${proxy.port}/v2?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    // Local Postgres uses trust auth, not cleartext passwords: no pipelined startup.
    neonConfig.pipelineConnect = false;
    if (!globalThis.WebSocket) neonConfig.webSocketConstructor = ws;

    await admin(`create database ${dbName}`);
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    dbUrl = url.toString();
    handle = await openDatabase({ driver: "neon", url: dbUrl, max: 4 });
  });

  afterAll(async () => {
    await handle?.close();
    await proxy?.close();
    if (saved) Object.assign(neonConfig, saved);
    await admin(`drop database if exists ${dbName} with (force)`);
  });

  it("opens through the proxy and applies the migrations; more instances starting at once re-run them as a no-op", async () => {
    expect(handle.driver).toBe("neon");
    expect(proxy.connections()).toBeGreaterThan(0);
    const { rows } = (await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: { n: number }[] };
    expect(rows[0]!.n).toBeGreaterThanOrEqual(3);
    const ext = (await handle.db.execute(sql`select 1 from pg_extension where extname = 'pg_trgm'`)) as unknown as { rows: unknown[] };
    expect(ext.rows).toHaveLength(1);

    // Two more instances starting at once: the lock serialises them and both find nothing left to apply.
    const others = await Promise.all([0, 1].map(() => openDatabase({ driver: "neon", url: dbUrl, max: 1 })));
    await Promise.all(others.map((h) => h.close()));
    const again = (await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`)) as unknown as { rows: { n: number }[] };
    expect(again.rows[0]!.n).toBe(rows[0]!.n);
  });

  it("runs the prompt service: create, update into a second version, search", async () => {
    const user = await createUser(handle.db);
    const prompts = new PromptService(handle.db, user.id);
    const created = await prompts.create({ title: "Release notes writer", body: "Turn these commits into release notes: {{commits}}" });
    expect(created.currentVersion).toBe(1);
    expect(created.variables.map((v) => v.name)).toEqual(["commits"]);

    const updated = await prompts.update(created.id, { body: "Turn these commits into friendly release notes: {{commits}}", message: "friendlier" });
    expect(updated.currentVersion).toBe(2);
    expect((await prompts.get(created.id, { version: 1 })).body).toContain("into release notes");

    await prompts.create({ title: "Bug triage", body: "Classify this bug report by severity." });
    const byWord = await prompts.list({ q: "friendly", limit: 30 });
    expect(byWord.items.map((p) => p.id)).toEqual([created.id]);
    const bySubstring = await prompts.list({ q: "notes writ", limit: 30 });
    expect(bySubstring.items.map((p) => p.id)).toEqual([created.id]);
    const page = await prompts.list({ limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const next = await prompts.list({ limit: 1, cursor: page.nextCursor! });
    expect(next.items).toHaveLength(1);
    expect(next.items[0]!.id).not.toBe(page.items[0]!.id);
  });

  it("rolls transactions back, including a service's writes inside one", async () => {
    const user = await createUser(handle.db);
    const prompts = new PromptService(handle.db, user.id);

    class Abort extends Error {}
    await expect(
      handle.db.transaction(async (tx) => {
        await new PromptService(tx, user.id).create({ title: "Never saved", body: "This prompt is rolled back." });
        throw new Abort();
      }),
    ).rejects.toBeInstanceOf(Abort);
    expect((await prompts.list({ limit: 30 })).items).toHaveLength(0);

    // A database error part-way through: the new version and the prompt update are both undone.
    const kept = await prompts.create({ title: "Kept", body: "Original body" });
    const failed = await handle.db
      .transaction(async (tx) => {
        await new PromptService(tx, user.id).update(kept.id, { body: "Changed body" });
        await tx.execute(sql`select 1 / 0`);
      })
      .catch((e: unknown) => e);
    expect(pgErrorCode(failed)).toBe("22012"); // division_by_zero
    const after = await prompts.get(kept.id);
    expect(after.currentVersion).toBe(1);
    expect(after.body).toBe("Original body");
    await expect(prompts.get(kept.id, { version: 2 })).rejects.toMatchObject({ code: "not_found" });
  });
});
