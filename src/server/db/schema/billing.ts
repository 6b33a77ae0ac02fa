import { sql } from "drizzle-orm";
import { bigint, boolean, check, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, timestamptz, updatedAt } from "./columns";
import { users } from "./users";

/** The user's Stripe subscription as last reported by webhooks (the source of truth for the plan). */
export const subscriptions = pgTable(
  "subscriptions",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    stripeCustomerId: text("stripe_customer_id").notNull(),
    stripeSubscriptionId: text("stripe_subscription_id"),
    stripePriceId: text("stripe_price_id"),
    plan: text("plan").notNull(),
    status: text("status").notNull(),
    currentPeriodEnd: timestamptz("current_period_end"),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    // Stripe's event.created of the last applied event: older events never roll the plan back.
    lastEventCreated: bigint("last_event_created", { mode: "number" }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("subscriptions_customer_unique").on(t.stripeCustomerId),
    uniqueIndex("subscriptions_subscription_unique").on(t.stripeSubscriptionId),
    check("subscriptions_plan_check", sql`${t.plan} in ('free', 'pro', 'enterprise')`),
  ],
);

/** Every webhook delivery we accepted (Stripe, Clerk): processed once, kept as a log. */
export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: id(),
    provider: text("provider").notNull(),
    eventId: text("event_id").notNull(),
    type: text("type").notNull(),
    payload: jsonb("payload").notNull(),
    outcome: text("outcome").notNull().default("received"),
    error: text("error"),
    receivedAt: createdAt(),
    processedAt: timestamptz("processed_at"),
  },
  (t) => [
    uniqueIndex("webhook_events_provider_event_unique").on(t.provider, t.eventId),
    check("webhook_events_provider_check", sql`${t.provider} in ('stripe', 'clerk')`),
    check("webhook_events_outcome_check", sql`${t.outcome} in ('received', 'processed', 'ignored', 'failed')`),
  ],
);
