import { getFileStorage } from "@/server/storage";
import { ServiceError } from "@/server/errors";
import { json, userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

/** Blob storage only: the pathname this file must be uploaded to. */
export const GET = userRoute<{ id: string; fileId: string }>(async ({ db, user, params }) => {
  if (getFileStorage().kind !== "blob") throw new ServiceError("not_configured", "Uploads go to this server, not to Blob storage.");
  return json(await new ImportService(db, user.id).uploadKey(params.id, params.fileId));
});
