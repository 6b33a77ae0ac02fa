import type Stripe from "stripe";
import { getEnv, isStripeConfigured } from "../env";
import type { Plan } from "../db/schema";

/**
 * The Stripe adapter: the SDK client (built lazily, only when STRIPE_* keys are set) and the mapping
 * between our plans and Stripe prices. STRIPE_API_URL points the SDK at another host (stripe-mock, tests).
 */
export type Interval = "month" | "year";

let client: Stripe | undefined;
let clientKey: string | undefined;

export async function stripeClient(): Promise<Stripe> {
  if (!isStripeConfigured()) throw new Error("Stripe is not configured.");
  const env = getEnv();
  const key = `${env.STRIPE_SECRET_KEY}|${env.STRIPE_API_URL ?? ""}`;
  if (!client || clientKey !== key) {
    const { default: StripeSdk } = await import("stripe");
    const api = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : undefined;
    client = new StripeSdk(env.STRIPE_SECRET_KEY!, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(api && { host: api.hostname, port: api.port || (api.protocol === "https:" ? 443 : 80), protocol: api.protocol === "http:" ? ("http" as const) : ("https" as const) }),
    });
    clientKey = key;
  }
  return client;
}

export function priceIdFor(plan: Plan, interval: Interval): string | undefined {
  const env = getEnv();
  const ids: Record<string, string | undefined> = {
    "pro:month": env.STRIPE_PRICE_PRO_MONTHLY,
    "pro:year": env.STRIPE_PRICE_PRO_YEARLY,
    "enterprise:month": env.STRIPE_PRICE_ENTERPRISE_MONTHLY,
    "enterprise:year": env.STRIPE_PRICE_ENTERPRISE_YEARLY,
  };
  return ids[`${plan}:${interval}`];
}

/** Which plan a Stripe price buys (null for a price this deployment does not sell). */
export function planForPrice(priceId: string | null | undefined): Plan | null {
  if (!priceId) return null;
  const env = getEnv();
  if (priceId === env.STRIPE_PRICE_PRO_MONTHLY || priceId === env.STRIPE_PRICE_PRO_YEARLY) return "pro";
  if (priceId === env.STRIPE_PRICE_ENTERPRISE_MONTHLY || priceId === env.STRIPE_PRICE_ENTERPRISE_YEARLY) return "enterprise";
  return null;
}

export function offeredPrices(): { plan: Plan; interval: Interval; priceId: string }[] {
  return (["pro", "enterprise"] as const).flatMap((plan) =>
    (["month", "year"] as const).flatMap((interval) => {
      const priceId = priceIdFor(plan, interval);
      return priceId ? [{ plan, interval, priceId }] : [];
    }),
  );
}
