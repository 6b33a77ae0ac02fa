import { json, userRoute } from "@/server/http/handler";
import { ShareService } from "@/server/services/share-service";

/** Saves a copy of a shared prompt into the signed-in viewer's library, with its provenance. */
export const POST = userRoute<{ slug: string }>(async ({ db, user, params }) => json(await new ShareService(db, user.id).saveCopy(params.slug), 201));
