import { getEnv } from "@/server/env";
import { json, userRoute } from "@/server/http/handler";
import { BillingService } from "@/server/services/billing-service";

/** `{ url }` of the Stripe customer portal (card, plan changes, cancellation). */
export const POST = userRoute(async ({ db, user, url }) => json(await new BillingService(db, user.id).portal(getEnv().APP_URL?.replace(/\/$/, "") ?? url.origin)));
