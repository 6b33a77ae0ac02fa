import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { SESSION_COOKIE, authMode } from "@/server/auth";

/**
 * With Clerk configured, Clerk's middleware runs here (its `auth()` needs it). With built-in accounts, a
 * cheap, optimistic redirect of signed-out visitors away from app pages. Neither is the security boundary:
 * every page and route handler checks the session itself.
 */
const APP_PAGES = /^\/(library|prompts|trash|settings|import|shares|onboarding|plan|admin)(\/|$)/;

type Middleware = (req: NextRequest, event: NextFetchEvent) => Promise<Response | undefined | void> | Response | undefined | void;
let clerk: Middleware | undefined;

export async function proxy(request: NextRequest, event: NextFetchEvent) {
  if (authMode() === "clerk") {
    if (!clerk) {
      const { clerkMiddleware } = await import("@clerk/nextjs/server");
      clerk = clerkMiddleware() as Middleware;
    }
    return clerk(request, event);
  }
  if (APP_PAGES.test(request.nextUrl.pathname) && !request.cookies.get(SESSION_COOKIE)) {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = `?next=${encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search)}`;
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = {
  matcher: [
    // Skip Next.js internals, static files, import uploads (token-authenticated; a proxy would buffer their
    // bodies and cut them at proxyClientMaxBodySize), and the public share page and its image (no session is
    // read there, and it is the page that must be fast). /s/{slug}/save still runs it: it needs the session.
    "/((?!_next|api/uploads/|s/[^/]+(?:/image)?$|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)",
  ],
};
