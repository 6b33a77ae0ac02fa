import { json, userRoute } from "@/server/http/handler";
import { ProviderKeyService } from "@/server/services/provider-key-service";

export const POST = userRoute(async ({ db, user }) => json({ key: await new ProviderKeyService(db, user.id).test() }));
