import { runInBackground } from "@/server/http/background";
import { json, userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

/** Starts (or, after an interruption, resumes) processing; the browser follows progress with GET. */
export const POST = userRoute<{ id: string }>(async ({ db, user, params }) => {
  const service = new ImportService(db, user.id);
  const session = await service.start(params.id);
  if (session.status === "running") await runInBackground(`import ${session.id}`, () => service.process(session.id));
  return json(session, 202);
});
