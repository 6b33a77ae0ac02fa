import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

/** Downloads the original file of an import (owner only). */
export const GET = userRoute<{ id: string; fileId: string }>(async ({ db, user, params }) => {
  const file = await new ImportService(db, user.id).original(params.id, params.fileId);
  const stream = createReadStream(file.path);
  stream.on("close", () => void file.release());
  return new Response(Readable.toWeb(stream) as ReadableStream, {
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(file.bytes),
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    },
  });
});
