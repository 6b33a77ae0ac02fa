import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { iterateJsonArray, readJsonDocument } from "../../src/server/importers/core/json-stream";
import { ImportFormatError } from "../../src/server/importers/types";

async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let k = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[k++ % Math.max(1, sizes.length)] ?? bytes.length);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function collect(text: string | Uint8Array, sizes: number[] = [], wrapperKeys?: string[]) {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  const out: unknown[] = [];
  for await (const item of iterateJsonArray(chunked(bytes, sizes), { entry: "test.json", wrapperKeys })) out.push(item.value);
  return out;
}

async function failure(text: string | Uint8Array, sizes: number[] = []): Promise<ImportFormatError> {
  try {
    await collect(text, sizes);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportFormatError);
    return error as ImportFormatError;
  }
  throw new Error("expected an ImportFormatError");
}

describe("iterateJsonArray", () => {
  it("yields the items of any JSON array, whatever the chunk boundaries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 5 }), async (items, sizes) => {
        const text = JSON.stringify(items, null, sizes[0]! % 2 ? 2 : undefined);
        // JSON.stringify turns -0 into 0: compare with what JSON.parse gives.
        expect(await collect(text, sizes)).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("handles escapes, quotes and brackets inside strings split across chunks", async () => {
    const items = [{ t: 'a "quoted" [x] {y} \\ back\\\\slash', u: "é😀\u2028" }, "plain", 12.5e3, true, null, [1, [2, { z: "]" }]]];
    const text = JSON.stringify(items);
    for (let size = 1; size <= 7; size++) expect(await collect(text, [size])).toEqual(items);
  });

  it("accepts a BOM, a wrapper object and a single object", async () => {
    expect(await collect("\uFEFF[1,2]")).toEqual([1, 2]);
    expect(await collect('{"conversations":[{"a":1},{"a":2}],"x":1}', [3], ["conversations"])).toEqual([{ a: 1 }, { a: 2 }]);
    expect(await collect('{"mapping":{}}', [], ["conversations"])).toEqual([{ mapping: {} }]);
    expect(await collect("[]")).toEqual([]);
  });

  it("reports corrupt or truncated JSON with the byte offset", async () => {
    expect((await failure('[{"a":1},{"a":}]')).offset).toBe(9);
    expect((await failure('[{"a":1}{"b":2}]')).message).toMatch(/missing comma.*byte 8/);
    expect((await failure('[{"a":"unterminated')).message).toMatch(/ends inside a string/);
    expect((await failure('[{"a":1},')).message).toMatch(/before the JSON array is closed/);
    expect((await failure("")).message).toMatch(/empty/);
    expect((await failure("   ")).message).toMatch(/empty/);
    expect((await failure('"just a string"')).message).toMatch(/expected a JSON array or object/);
    expect((await failure("[1,,2]")).message).toMatch(/unexpected comma/);
    expect((await failure("[1]]")).message).toMatch(/after the end/);
  });

  it("refuses text that is not UTF-8, and UTF-16", async () => {
    const latin1 = Uint8Array.from([0x5b, 0x22, 0xe9, 0x22, 0x5d]); // ["é"] in Latin-1
    expect((await failure(latin1)).message).toMatch(/not valid UTF-8/);
    expect((await failure(Uint8Array.from([0xff, 0xfe, 0x5b, 0x00]))).message).toMatch(/UTF-16/);
  });

  it("fuzz: arbitrary bytes either yield values or throw ImportFormatError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 9 }), async (bytes, size) => {
        try {
          await collect(bytes, [size]);
        } catch (error) {
          expect(error).toBeInstanceOf(ImportFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("iterateJsonArray with deferred values", () => {
  it("parseIf: values whose peek matches are parsed with the rest, the others deferred", async () => {
    const items = [
      {
        mapping: {
          a: { message: { author: { role: "user" }, content: { parts: ["hi"] } } },
          b: { message: { author: { role: "assistant" }, metadata: { model_slug: "m" }, content: "long" } },
          c: { message: { author: { role: "usXr" } } },
          d: { message: null },
        },
      },
    ];
    const text = JSON.stringify(items).replace("usXr", String.raw`us\u0065r`);
    const deferred = [{ path: ["mapping", "*", "message"], peek: [["author", "role"], ["metadata", "model_slug"]], parseIf: { peek: 0, equals: "user" } }];
    for (const size of [1, 3, 7, text.length]) {
      const bytes = new TextEncoder().encode(text);
      const got: { mapping: Record<string, { message: unknown }> }[] = [];
      for await (const item of iterateJsonArray(chunked(bytes, [size]), { entry: "test.json", deferred })) {
        const value = item.value as { mapping: Record<string, { message: unknown }> };
        const { a, b, c, d } = value.mapping;
        expect(a!.message).toEqual(items[0]!.mapping.a.message);
        expect(item.peeked(a!.message)).toBeUndefined();
        // (A key cut by a chunk boundary makes a peek uncertain: the value is then parsed with the rest.)
        if (size === text.length) expect(typeof b!.message).toBe("string");
        if (typeof b!.message === "string") expect(item.peeked(b!.message)).toEqual(["assistant", "m"]);
        expect(item.resolve(b!.message)).toEqual(items[0]!.mapping.b.message);
        expect(c!.message).toEqual({ author: { role: "user" } });
        expect(d!.message).toBeNull();
        got.push(value);
      }
      expect(got).toHaveLength(1);
    }
  });
});

describe("readJsonDocument", () => {
  it("parses a small document and refuses empty files", async () => {
    expect(await readJsonDocument(chunked(new TextEncoder().encode('{"a":[1]}'), [2]), "x.json", 1000)).toEqual({ a: [1] });
    await expect(readJsonDocument(chunked(new Uint8Array(), []), "x.json", 1000)).rejects.toBeInstanceOf(ImportFormatError);
  });
});
