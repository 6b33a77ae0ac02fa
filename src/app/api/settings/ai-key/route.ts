import { json, noContent, readJson, userRoute } from "@/server/http/handler";
import { ProviderKeyService } from "@/server/services/provider-key-service";

/** The user's own OpenAI-compatible key: only its last four characters ever leave the server. */
export const GET = userRoute(async ({ db, user }) => json({ key: await new ProviderKeyService(db, user.id).get() }));

/** `{ apiKey, baseUrl?, model? }`: checked against the service, then stored encrypted. */
export const PUT = userRoute(async ({ req, db, user }) => json({ key: await new ProviderKeyService(db, user.id).set(await readJson(req)) }));

export const DELETE = userRoute(async ({ db, user }) => {
  await new ProviderKeyService(db, user.id).delete();
  return noContent();
});
