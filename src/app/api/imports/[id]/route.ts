import { json, userRoute } from "@/server/http/handler";
import { ImportService } from "@/server/services/imports/import-service";

export const GET = userRoute<{ id: string }>(async ({ db, user, params }) => json(await new ImportService(db, user.id).get(params.id)));
