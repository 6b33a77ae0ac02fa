import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalFileStorage } from "../../src/server/storage/local";
import { ImportService } from "../../src/server/services/imports/import-service";
import { PromptService } from "../../src/server/services/prompts/prompt-service";
import { useTestDatabase } from "../helpers/db";
import { createUser } from "../helpers/factories";

const SAMPLE = "/work/shared/formats/samples/chatgpt/soulprint_chatgpt_minimal.json";

describe("import smoke", () => {
  const db = useTestDatabase();
  it("imports a ChatGPT export and a second time adds nothing", async () => {
    const user = await createUser(db());
    const storage = new LocalFileStorage(mkdtempSync(path.join(tmpdir(), "pv-store-")));
    const service = new ImportService(db(), user.id, storage);
    const bytes = await readFile(SAMPLE);
    const run = async () => {
      const { uploads, ...session } = await service.createSession({ files: [{ name: "conversations.json", size: bytes.length }] });
      await service.receiveUpload(session.id, uploads[0]!.fileId, (async function* () {
        yield bytes;
      })());
      await service.start(session.id);
      return service.process(session.id);
    };
    const first = await run();
    expect(first.status).toBe("succeeded");
    expect(first.files[0]).toMatchObject({ status: "succeeded", source: "chatgpt", promptsFound: 3, imported: 3, duplicates: 0 });
    const second = await run();
    expect(second.files[0]).toMatchObject({ status: "succeeded", promptsFound: 3, imported: 0, duplicates: 3 });
    const list = await new PromptService(db(), user.id).list({ source: "chatgpt" });
    expect(list.items).toHaveLength(3);
    expect(list.items.every((p) => p.useCount === 1)).toBe(true);
  });
});
