import yauzl from "yauzl";
import { ImportFormatError, type ImportEntry } from "../types";
import { collect } from "./entries";

/**
 * Zip containers (ChatGPT, Claude and Takeout exports, zipped Cline tasks). Entries are read lazily from the
 * file on disk, one at a time, so a large export never sits in memory. Refused outright: unsafe paths
 * (`../`, absolute), and anything that looks like a zip bomb — too many entries, too much uncompressed data,
 * or an implausible compression ratio. yauzl also checks that each entry inflates to exactly its declared
 * size, so the declared sizes these limits use cannot lie.
 */
export type ZipLimits = {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes. */
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed, checked for entries above 1 MiB. JSON and text compress 5–20×. */
  maxRatio: number;
};

export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntries: 50_000, maxTotalBytes: 8 * 1024 ** 3, maxRatio: 400 };

export type ZipContents = {
  entries: ImportEntry[];
  /** Entries deliberately not looked at, with why (folders are not listed). */
  ignored: { name: string; reason: string }[];
  close(): Promise<void>;
};

export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && (head[2] === 0x03 || head[2] === 0x05) && (head[3] === 0x04 || head[3] === 0x06);
}

function openZipFile(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );
}

function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve(entries));
    zip.on("error", reject);
    zip.readEntry();
  });
}

/** Zip names are bytes: UTF-8 when flag bit 11 says so; otherwise usually ASCII in practice. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return raw.toString(entry.generalPurposeBitFlag & 0x800 ? "utf8" : "latin1").replace(/\\/g, "/");
}

export function unsafePath(name: string): boolean {
  return name.startsWith("/") || /^[a-zA-Z]:/.test(name) || name.split("/").some((segment) => segment === "..");
}

function ignoredReason(name: string): string | undefined {
  const base = name.split("/").pop() ?? name;
  if (name.startsWith("__MACOSX/") || base.startsWith("._") || base === ".DS_Store" || base === "Thumbs.db") return "operating-system metadata";
  if (/\.zip$/i.test(base)) return "a zip inside the zip: upload it on its own";
  return undefined;
}

export async function openZip(path: string, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipContents> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZipFile(path);
  } catch {
    throw new ImportFormatError(`${fileName}: this is not a readable zip file (is the download complete?).`, { entry: fileName });
  }
  const close = async () => zip.close();
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ImportFormatError(`${fileName}: the zip has ${zip.entryCount} entries, more than the ${limits.maxEntries} accepted.`, { entry: fileName });
    }
    let raw: yauzl.Entry[];
    try {
      raw = await readEntries(zip);
    } catch {
      throw new ImportFormatError(`${fileName}: the zip's table of contents is damaged.`, { entry: fileName });
    }
    const entries: ImportEntry[] = [];
    const ignored: ZipContents["ignored"] = [];
    let total = 0;
    for (const item of raw) {
      const name = entryName(item);
      if (unsafePath(name)) throw new ImportFormatError(`${fileName}: refused — the zip contains an unsafe path (${name}).`, { entry: fileName });
      if (name.endsWith("/")) continue;
      total += item.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        throw new ImportFormatError(`${fileName}: refused — it would unpack to more than ${Math.round(limits.maxTotalBytes / 1024 ** 3)} GB.`, { entry: fileName });
      }
      if (item.uncompressedSize > 1024 * 1024 && item.uncompressedSize / Math.max(1, item.compressedSize) > limits.maxRatio) {
        throw new ImportFormatError(`${fileName}: refused — ${name} is compressed ${Math.round(item.uncompressedSize / Math.max(1, item.compressedSize))}:1, which looks like a zip bomb.`, {
          entry: fileName,
        });
      }
      const reason = ignoredReason(name) ?? (item.isEncrypted() ? "encrypted entry" : !item.canDecodeFileData() ? "unsupported compression method" : undefined);
      if (reason) {
        ignored.push({ name, reason });
        continue;
      }
      entries.push(zipEntry(zip, item, name));
    }
    return { entries, ignored, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function zipEntry(zip: yauzl.ZipFile, item: yauzl.Entry, name: string): ImportEntry {
  const open = () =>
    new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(item, (error, stream) => (error ? reject(new ImportFormatError(`${name}: this zip entry cannot be read.`, { entry: name })) : resolve(stream))),
    );
  async function* stream(): AsyncGenerator<Uint8Array> {
    const readable = await open();
    try {
      for await (const chunk of readable as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      if (error instanceof ImportFormatError) throw error;
      throw new ImportFormatError(`${name}: this zip entry is damaged (it does not unpack to its declared size or checksum).`, { entry: name });
    } finally {
      (readable as unknown as { destroy?: () => void }).destroy?.();
    }
  }
  return {
    name,
    size: item.uncompressedSize,
    async head(n) {
      const parts: Buffer[] = [];
      let total = 0;
      for await (const chunk of stream()) {
        parts.push(Buffer.from(chunk));
        total += chunk.length;
        if (total >= n) break;
      }
      return Buffer.concat(parts, total).subarray(0, n);
    },
    stream,
    bytes: (maxBytes) => collect(stream(), maxBytes, name),
  };
}
