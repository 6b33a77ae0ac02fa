import type { Database } from "../db/client";
import { ClerkUserService } from "../services/clerk-user-service";
import type { AppUser } from "../services/users";

/**
 * Clerk mode. Imported only when Clerk's keys are set: @clerk/nextjs answers 500 on every request when it is
 * loaded without them. The user row is created on the first request, so a new account works before the
 * user.created webhook arrives.
 */
export async function currentClerkUser(db: Database): Promise<AppUser | null> {
  const { auth, currentUser } = await import("@clerk/nextjs/server");
  const { userId } = await auth();
  if (!userId) return null;
  const service = new ClerkUserService(db);
  const existing = await service.findByClerkId(userId);
  if (existing) return existing;
  const clerkUser = await currentUser();
  if (!clerkUser) return null;
  return service.upsert({
    id: clerkUser.id,
    email_addresses: clerkUser.emailAddresses.map((e) => ({ id: e.id, email_address: e.emailAddress })),
    primary_email_address_id: clerkUser.primaryEmailAddressId,
    first_name: clerkUser.firstName,
    last_name: clerkUser.lastName,
    username: clerkUser.username,
    image_url: clerkUser.imageUrl,
  });
}
