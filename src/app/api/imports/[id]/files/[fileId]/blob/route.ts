import { getEnv } from "@/server/env";
import { ServiceError } from "@/server/errors";
import { json, readJson, userRoute } from "@/server/http/handler";
import { getFileStorage } from "@/server/storage";
import { ImportService } from "@/server/services/imports/import-service";

type Params = { id: string; fileId: string };

function requireBlob() {
  if (getFileStorage().kind !== "blob") throw new ServiceError("not_configured", "Uploads go to this server, not to Blob storage.");
}

/**
 * Vercel Blob client uploads: issues a client token for exactly this file's pathname and size limit, so the
 * browser sends the bytes straight to Blob and large files never pass through a function body.
 */
export const POST = userRoute<Params>(async ({ req, db, user, params }) => {
  requireBlob();
  const { handleUpload } = await import("@vercel/blob/client");
  const { key, maxBytes } = await new ImportService(db, user.id).uploadKey(params.id, params.fileId);
  const result = await handleUpload({
    body: (await readJson(req)) as never,
    request: req,
    token: getEnv().BLOB_READ_WRITE_TOKEN,
    onBeforeGenerateToken: async (pathname) => {
      if (pathname !== key) throw new ServiceError("forbidden", "This upload is for another file.");
      return { maximumSizeInBytes: maxBytes, addRandomSuffix: false, allowOverwrite: true };
    },
  });
  return json(result);
});

/** The browser reports a finished Blob upload; its size is read back from Blob storage. */
export const PUT = userRoute<Params>(async ({ db, user, params }) => {
  requireBlob();
  const service = new ImportService(db, user.id);
  await service.confirmBlobUpload(params.id, params.fileId);
  return json(await service.get(params.id));
});
