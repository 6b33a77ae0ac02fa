import { authMode } from "@/server/auth";
import { ServiceError } from "@/server/errors";

/** Built-in account routes exist only when Clerk is not configured. */
export function requireLocalAuth(): void {
  if (authMode() !== "local") throw new ServiceError("not_configured", "Accounts are managed by Clerk on this server.");
}
