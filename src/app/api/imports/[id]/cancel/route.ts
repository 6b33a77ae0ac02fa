import { json, userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

export const POST = userRoute<{ id: string }>(async ({ db, user, params }) => json(await new ImportService(db, user.id).cancel(params.id)));
