import { getFileStorage } from "@/server/storage";
import { json, readJson, userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

export const GET = userRoute(async ({ db, user }) => json({ imports: await new ImportService(db, user.id).list() }));

/** `{ files: [{ name, size, parser? }] }` → the session, and per file where and how to upload it. */
export const POST = userRoute(async ({ req, db, user }) => {
  const { uploads, ...session } = await new ImportService(db, user.id).createSession(await readJson(req));
  return json({ session, uploadMode: getFileStorage().kind, uploads: uploads.map((u) => ({ ...u, url: `/api/uploads/${u.fileId}` })) }, 201);
});
