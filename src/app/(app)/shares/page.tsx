import type { Metadata } from "next";
import { MySharesView } from "@/components/share/my-shares";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { ShareService } from "@/server/services/share-service";

export const metadata: Metadata = { title: "My shares" };

export default async function SharesPage() {
  const user = await requirePageUser("/shares");
  const shares = await new ShareService(await getDatabase(), user.id).list();
  return <MySharesView initial={JSON.parse(JSON.stringify(shares))} />;
}
