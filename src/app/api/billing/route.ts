import { json, userRoute } from "@/server/http/handler";
import { BillingService } from "@/server/services/billing-service";

/** The plan, usage against each limit, the plans on offer, and the subscription (when billing is on). */
export const GET = userRoute(async ({ db, user }) => json(await new BillingService(db, user.id).overview()));
