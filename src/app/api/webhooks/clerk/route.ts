import { Webhook } from "svix";
import { getEnv, isClerkWebhookConfigured } from "@/server/env";
import { ServiceError } from "@/server/errors";
import { json, publicRoute } from "@/server/http/handler";
import { ClerkUserService, type ClerkWebhookEvent } from "@/server/services/clerk-user-service";

/**
 * Clerk → svix → here. Verified with the signing secret (which also rejects stale timestamps); each svix
 * message is applied once. Without Clerk configured the route does not exist (404).
 */
export const POST = publicRoute(async ({ req, db }) => {
  if (!isClerkWebhookConfigured()) throw new ServiceError("not_configured", "Clerk webhooks are not configured on this server.");
  const payload = await req.text();
  const headers = {
    "svix-id": req.headers.get("svix-id") ?? "",
    "svix-timestamp": req.headers.get("svix-timestamp") ?? "",
    "svix-signature": req.headers.get("svix-signature") ?? "",
  };
  let event: ClerkWebhookEvent;
  try {
    event = new Webhook(getEnv().CLERK_WEBHOOK_SIGNING_SECRET!).verify(payload, headers) as ClerkWebhookEvent;
  } catch {
    return json({ error: { code: "invalid_signature", message: "Webhook signature verification failed." } }, 400);
  }
  const outcome = await new ClerkUserService(db).handleWebhook(headers["svix-id"], event);
  return json({ received: true, outcome });
});
