import { getEnv } from "@/server/env";
import { json, readJson, userRoute } from "@/server/http/handler";
import { BillingService } from "@/server/services/billing-service";

/** `{ plan: "pro" | "enterprise", interval: "month" | "year" }` → `{ url }` of a Stripe Checkout page. */
export const POST = userRoute(async ({ req, db, user, url }) =>
  json(await new BillingService(db, user.id).checkout(await readJson(req), getEnv().APP_URL?.replace(/\/$/, "") ?? url.origin)),
);
