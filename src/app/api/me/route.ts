import { authMode } from "@/server/auth";
import { json, userRoute } from "@/server/http/handler";

export const GET = userRoute(async ({ user }) => json({ user, authMode: authMode() }));
