import { randomBytes } from "node:crypto";
import pg from "pg";

/** The benchmarks' command-line options: `--name` flags and `--name value` numbers and strings. */
export function cliOptions(argv: readonly string[] = process.argv.slice(2)) {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    flag: (name: string) => argv.includes(`--${name}`),
    num: (name: string, fallback: number) => (value(name) === undefined ? fallback : Number(value(name))),
    str: (name: string, fallback: string) => value(name) ?? fallback,
  };
}

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const open = new Map<string, () => Promise<void>>();

/**
 * A database created for one benchmark on the server of `serverUrl` (never the developer's data): its URL,
 * and `drop()`. Scripts call `dropScratchDatabases()` on SIGINT/SIGTERM so an interrupted run leaves none.
 */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString("hex")}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async () => {
    if (!open.delete(name)) return;
    await admin(serverUrl, `drop database if exists ${name} with (force)`).catch((e) => console.error(`could not drop ${name}:`, e));
  };
  open.set(name, drop);
  return { name, url: url.toString(), drop };
}

export async function dropScratchDatabases(): Promise<void> {
  for (const drop of [...open.values()]) await drop();
}
