import { json, userRoute } from "@/server/http/handler";
import { ShareService } from "@/server/services/share-service";

type Params = { id: string };

export const GET = userRoute<Params>(async ({ db, user, params }) => json(await new ShareService(db, user.id).get(params.id)));

/** Revokes the link: it answers 410 from now on; the record (and its view count) stays in "My shares". */
export const DELETE = userRoute<Params>(async ({ db, user, params }) => json(await new ShareService(db, user.id).revoke(params.id)));
