import { ServiceError } from "@/server/errors";
import { json, publicRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

/**
 * The browser streams one import file here (local storage). Authenticated by the file's upload token
 * (`x-upload-token`), not the session cookie: this path is outside the proxy, which would otherwise buffer
 * and cut large bodies. The body is streamed to storage, never held in memory.
 */
export const PUT = publicRoute<{ fileId: string }>(async ({ req, db, params }) => {
  const { service, sessionId, fileId } = await ImportService.forUploadToken(db, params.fileId, req.headers.get("x-upload-token"));
  if (!req.body) throw new ServiceError("invalid", "The upload is empty.");
  return json(await service.receiveUpload(sessionId, fileId, req.body as unknown as AsyncIterable<Uint8Array>));
});
