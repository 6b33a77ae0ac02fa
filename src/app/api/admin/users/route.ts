import { json, userRoute } from "@/server/http/handler";
import { AdminService } from "@/server/services/admin-service";

export const GET = userRoute(async ({ db, user }) => json({ users: await new AdminService(db, user).users() }));
