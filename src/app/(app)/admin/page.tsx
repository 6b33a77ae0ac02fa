import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AdminView } from "@/components/admin/admin-view";
import { getDatabase } from "@/server/db/client";
import { isStripeConfigured } from "@/server/env";
import { requirePageUser } from "@/server/http/page-user";
import { AdminService } from "@/server/services/admin-service";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const user = await requirePageUser("/admin");
  if (!user.isAdmin) notFound();
  const service = new AdminService(await getDatabase(), user);
  const [users, events] = await Promise.all([service.users(), service.webhookEvents()]);
  return <AdminView users={JSON.parse(JSON.stringify(users))} events={JSON.parse(JSON.stringify(events))} billing={isStripeConfigured()} />;
}
