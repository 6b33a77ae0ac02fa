import { z } from "zod";
import { getEnv } from "@/server/env";
import { ServiceError } from "@/server/errors";
import { json, readJson, userRoute } from "@/server/http/handler";
import { getFileStorage } from "@/server/storage";
import { ImportService } from "@/server/services/imports/import-service";
import { parseInput } from "@/server/services/input";

type Params = { id: string; fileId: string };

/** What the SDK's client `upload()` posts to ask for a client token. */
const tokenRequestSchema = z.object({
  type: z.literal("blob.generate-client-token"),
  payload: z.object({ pathname: z.string().min(1), clientPayload: z.string().nullable().default(null), multipart: z.boolean().default(false) }),
});

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
  // Only token requests: without onUploadCompleted there are no completion callbacks to take, and anything
  // else would reach the SDK as a plain Error (a 500) instead of a 422.
  const body = parseInput(tokenRequestSchema, await readJson(req));
  const result = await handleUpload({
    body,
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
