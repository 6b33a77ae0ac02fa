import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { planFile } from "../../importers/plan";
import { PARSERS } from "../../importers/registry";
import { ImportFormatError, type ExtractedPrompt, type ImportEntry, type ImportSource } from "../../importers/types";

export type StagedPrompt = ExtractedPrompt & { source: ImportSource };

export type ExtractStats = {
  source: ImportSource | null;
  parser: string | null;
  conversations: number;
  prompts: number;
  skipped: number;
  skipReasons: Record<string, number>;
  ignored: { name: string; reason: string }[];
};

export type ExtractOptions = {
  path: string;
  fileName: string;
  override?: string | null;
  /** Other files of the same upload in this file's folder (see PlanOptions.siblings). */
  siblings?: readonly ImportEntry[];
  onPrompt: (prompt: StagedPrompt) => void | Promise<void>;
  /** Bytes of the original read so far (uncompressed for zips). */
  onProgress?: (bytesRead: number) => void | Promise<void>;
  signal?: AbortSignal;
};

/**
 * Phase 1 of importing a file: run the parsers over the whole file and hand every prompt to `onPrompt`.
 * Nothing is written to the database here, so a file that turns out to be corrupt halfway leaves no trace.
 */
export async function extractFile(options: ExtractOptions): Promise<ExtractStats> {
  const plan = await planFile(options.path, options.fileName, { parsers: PARSERS, override: options.override ?? undefined, siblings: options.siblings });
  const stats: ExtractStats = { source: null, parser: null, conversations: 0, prompts: 0, skipped: 0, skipReasons: {}, ignored: plan.ignored };
  let bytesRead = 0;
  let lastReport = 0;
  const counted = (entry: ImportEntry): ImportEntry => ({
    ...entry,
    async *stream() {
      for await (const chunk of entry.stream()) {
        bytesRead += chunk.length;
        if (options.onProgress && bytesRead - lastReport > 4 * 1024 * 1024) {
          lastReport = bytesRead;
          await options.onProgress(bytesRead);
        }
        yield chunk;
      }
    },
  });
  try {
    for (const { entry, parser, context } of plan.entries) {
      stats.source ??= parser.source;
      stats.parser ??= parser.id;
      try {
        for await (const event of parser.parse(counted(entry), context)) {
          if (options.signal?.aborted) throw new ImportCancelled();
          if (event.kind === "conversation") stats.conversations++;
          else if (event.kind === "skip") {
            const n = event.count ?? 1;
            stats.skipped += n;
            stats.skipReasons[event.reason] = (stats.skipReasons[event.reason] ?? 0) + n;
          } else {
            stats.prompts++;
            await options.onPrompt({ ...event.prompt, source: parser.source });
          }
        }
      } catch (error) {
        if (error instanceof ImportFormatError || error instanceof ImportCancelled) throw error;
        // A parser bug must not pass for the user's mistake, nor crash the import: report it as such.
        console.error(`[import] ${parser.id} failed on ${entry.name}`, error);
        throw new ImportFormatError(`${entry.name}: PromptVault could not read this ${parser.label} file (an internal error was logged).`, { entry: entry.name });
      }
    }
    await options.onProgress?.(bytesRead);
    return stats;
  } finally {
    await plan.close();
  }
}

export class ImportCancelled extends Error {
  constructor() {
    super("The import was cancelled.");
  }
}

/** Extracted prompts parked on disk between the two phases (NDJSON), so memory stays bounded. */
export class StagingFile {
  private stream: WriteStream | undefined;
  private error: Error | undefined;
  private constructor(
    private readonly dir: string,
    readonly path: string,
  ) {}

  static async create(): Promise<StagingFile> {
    const dir = await mkdtemp(path.join(tmpdir(), "promptvault-staging-"));
    const staging = new StagingFile(dir, path.join(dir, "prompts.ndjson"));
    staging.stream = createWriteStream(staging.path);
    // Without a listener, a write error — or a write still in flight when dispose() destroys the stream after
    // a file failed halfway through phase 1 — is an uncaught exception that takes the whole process down.
    staging.stream.on("error", (error) => {
      staging.error ??= error;
    });
    return staging;
  }

  async write(prompt: StagedPrompt): Promise<void> {
    if (this.error) throw this.error;
    const stream = this.stream!;
    const line = `${JSON.stringify(prompt)}\n`;
    if (stream.write(line)) return;
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        stream.off("drain", done);
        stream.off("error", done);
        if (error) reject(error);
        else resolve();
      };
      stream.on("drain", done);
      stream.on("error", done);
    });
  }

  async finish(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.stream!.end((error?: Error | null) => (error ? reject(error) : resolve())));
  }

  async *read(): AsyncGenerator<StagedPrompt> {
    const lines = createInterface({ input: createReadStream(this.path), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const raw = JSON.parse(line) as StagedPrompt & { createdAt: string | null };
      yield { ...raw, createdAt: raw.createdAt ? new Date(raw.createdAt) : null };
    }
  }

  async dispose(): Promise<void> {
    this.stream?.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}
