import type { Metadata } from "next";
import { PlanView } from "@/components/billing/plan-view";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { BillingService } from "@/server/services/billing-service";

export const metadata: Metadata = { title: "Plan & usage" };

export default async function PlanPage({ searchParams }: { searchParams: Promise<{ checkout?: string }> }) {
  const user = await requirePageUser("/plan");
  const overview = await new BillingService(await getDatabase(), user.id).overview();
  const { checkout } = await searchParams;
  return <PlanView overview={JSON.parse(JSON.stringify(overview))} checkout={checkout} />;
}
