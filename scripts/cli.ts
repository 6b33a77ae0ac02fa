/**
 * PromptVault's command line, for self-hosters and scripts. It runs the same services as the web app.
 *
 *   npm run cli -- import <file...> --user <email> [--dry-run] [--json] [--show-prompts] [--format <id>]
 *
 * --dry-run reads and parses the files and writes nothing (the database is not even opened).
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import { closeDatabase, getDatabase } from "../src/server/db/client";
import { users } from "../src/server/db/schema";
import { PARSERS } from "../src/server/importers/registry";
import { ImportFormatError } from "../src/server/importers/types";
import { extractFile } from "../src/server/services/imports/extract";
import { promptFingerprint } from "../src/server/services/imports/fingerprint";
import { ImportService } from "../src/server/services/imports/import-service";
import { normalizeEmail } from "../src/server/services/users";

type Options = { files: string[]; user?: string; dryRun: boolean; json: boolean; showPrompts: boolean; format?: string };

const USAGE = `Usage: npm run cli -- import <file...> --user <email> [--dry-run] [--json] [--show-prompts] [--format <id>]
Formats: ${PARSERS.map((p) => p.id).join(", ")}`;

function parseArgs(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (command !== "import") throw new UsageError(command ? `Unknown command "${command}".` : "No command given.");
  const options: Options = { files: [], dryRun: false, json: false, showPrompts: false };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === "--dry-run") options.dryRun = true;
    else if (arg === "--json") options.json = true;
    else if (arg === "--show-prompts") options.showPrompts = true;
    else if (arg === "--user") options.user = rest[++i];
    else if (arg === "--format") options.format = rest[++i];
    else if (arg.startsWith("--")) throw new UsageError(`Unknown option ${arg}.`);
    else options.files.push(arg);
  }
  if (options.files.length === 0) throw new UsageError("Give at least one file.");
  if (!options.user && !options.dryRun) throw new UsageError("--user <email> is required (the account to import into).");
  if (options.format && !PARSERS.some((p) => p.id === options.format)) throw new UsageError(`Unknown format "${options.format}".`);
  return options;
}

class UsageError extends Error {}

type DryRunFile = {
  file: string;
  source: string | null;
  conversations: number;
  prompts: number;
  unique: number;
  duplicates: number;
  skipped: number;
  errors: { message: string; offset?: number; entry?: string }[];
  items?: { text: string; conversation: string | null; createdAt: string | null; model: string | null }[];
};

async function dryRun(options: Options): Promise<DryRunFile[]> {
  const results: DryRunFile[] = [];
  for (const file of options.files) {
    const fingerprints = new Set<string>();
    const items: NonNullable<DryRunFile["items"]> = [];
    const result: DryRunFile = { file, source: null, conversations: 0, prompts: 0, unique: 0, duplicates: 0, skipped: 0, errors: [] };
    try {
      await stat(file);
      const stats = await extractFile({
        path: file,
        fileName: path.basename(file),
        override: options.format,
        onPrompt: (prompt) => {
          fingerprints.add(promptFingerprint(prompt.text));
          if (options.showPrompts) items.push({ text: prompt.text, conversation: prompt.conversationTitle ?? prompt.conversationId, createdAt: prompt.createdAt?.toISOString() ?? null, model: prompt.model });
        },
      });
      Object.assign(result, { source: stats.source, conversations: stats.conversations, prompts: stats.prompts, skipped: stats.skipped });
      result.unique = fingerprints.size;
      result.duplicates = stats.prompts - fingerprints.size;
    } catch (error) {
      result.errors.push(describe(error, file));
    }
    if (options.showPrompts) result.items = items;
    results.push(result);
  }
  return results;
}

async function importFiles(options: Options) {
  const db = await getDatabase();
  const email = normalizeEmail(options.user!);
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!user) throw new UsageError(`No account with the email ${email}. Create it in the app first.`);
  const service = new ImportService(db, user.id);
  const files = await Promise.all(options.files.map(async (file) => ({ file, size: (await stat(file)).size })));
  const { uploads, ...session } = await service.createSession({ files: files.map((f) => ({ name: path.basename(f.file), size: f.size, parser: options.format })) });
  for (const [i, upload] of uploads.entries()) await service.receiveUpload(session.id, upload.fileId, createReadStream(files[i]!.file));
  await service.start(session.id);
  return service.process(session.id);
}

function describe(error: unknown, file: string) {
  if (error instanceof ImportFormatError) return { message: error.message, ...(error.offset !== undefined && { offset: error.offset }), ...(error.entry && { entry: error.entry }) };
  if ((error as NodeJS.ErrnoException)?.code === "ENOENT") return { message: `${file}: no such file.` };
  return { message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
}

async function main() {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options.dryRun) {
    const files = await dryRun(options);
    if (options.json) process.stdout.write(`${JSON.stringify({ files })}\n`);
    else for (const f of files) console.log(`${f.file}: ${f.source ?? "unrecognised"} · ${f.conversations} conversations · ${f.prompts} prompts · ${f.unique} unique · ${f.skipped} skipped${f.errors.map((e) => `\n  error: ${e.message}`).join("")}`);
    if (files.some((f) => f.errors.length > 0)) process.exitCode = 1;
    return;
  }
  try {
    const session = await importFiles(options);
    if (options.json) process.stdout.write(`${JSON.stringify(session)}\n`);
    else {
      for (const f of session.files) {
        console.log(`${f.fileName}: ${f.status} · ${f.source ?? "?"} · ${f.conversations} conversations · ${f.promptsFound} prompts · ${f.imported} new · ${f.duplicates} duplicates · ${f.skipped} skipped`);
        for (const e of f.errors) console.log(`  error: ${e.message}`);
        if (f.overLimit > 0) console.log(`  ${f.overLimit} prompts not imported: the plan's prompt limit was reached. Upgrade (or delete prompts), then import the file again.`);
      }
    }
    if (session.files.some((f) => f.status === "failed")) process.exitCode = 1;
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : error);
    process.exitCode = 1;
  } finally {
    await closeDatabase();
  }
}

void main();
