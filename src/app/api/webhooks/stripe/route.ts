import type Stripe from "stripe";
import { stripeClient } from "@/server/billing/stripe";
import { getEnv, isStripeConfigured } from "@/server/env";
import { ServiceError } from "@/server/errors";
import { json, publicRoute } from "@/server/http/handler";
import { StripeWebhookService } from "@/server/services/billing-service";

/**
 * Stripe → here. The signature is checked with the endpoint's signing secret (which also refuses timestamps
 * older than 5 minutes); each event is applied once. Without Stripe configured the route does not exist.
 */
export const POST = publicRoute(async ({ req, db }) => {
  if (!isStripeConfigured()) throw new ServiceError("not_configured", "Stripe is not configured on this server.");
  const payload = await req.text();
  let event: Stripe.Event;
  try {
    event = (await stripeClient()).webhooks.constructEvent(payload, req.headers.get("stripe-signature") ?? "", getEnv().STRIPE_WEBHOOK_SECRET!);
  } catch {
    return json({ error: { code: "invalid_signature", message: "Webhook signature verification failed." } }, 400);
  }
  const outcome = await new StripeWebhookService(db).handle(event);
  return json({ received: true, outcome });
});
