import { getDatabase } from "@/server/db/client";
import { getEnv } from "@/server/env";
import { PublicShareService } from "@/server/services/share-service";
import { goneHtml, sharePageHtml } from "./share-html";

export const dynamic = "force-dynamic";

// Link unfurlers fetch a page to build its preview: they get the title and image, not the prompt, and do
// not use up a view of a view-limited link.
const PREVIEW_BOTS = /(Slackbot|Twitterbot|facebookexternalhit|LinkedInBot|Discordbot|WhatsApp|TelegramBot|SkypeUriPreview|Googlebot|bingbot|Applebot|redditbot|Embedly|Pinterest)/i;

async function respond(req: Request, slug: string, count: boolean): Promise<Response> {
  const service = new PublicShareService(await getDatabase());
  const bot = PREVIEW_BOTS.test(req.headers.get("user-agent") ?? "");
  const access = count && !bot ? await service.open(slug) : await service.peek(slug);
  const headers = { "content-type": "text/html; charset=utf-8", "cache-control": "private, no-store", "x-robots-tag": "noarchive" };
  if (!access.ok) return new Response(goneHtml(access.state), { status: access.state === "missing" ? 404 : 410, headers });
  const origin = getEnv().APP_URL?.replace(/\/$/, "") ?? new URL(req.url).origin;
  return new Response(sharePageHtml(access.share, origin, { metadataOnly: bot }), {
    status: 200,
    headers: { ...headers, ...(access.share.noindex && { "x-robots-tag": "noindex, nofollow, noarchive" }) },
  });
}

/** The public page of a shared prompt. Each open counts one view (atomically); HEAD does not. */
export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  return respond(req, (await params).slug, true);
}

export async function HEAD(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const res = await respond(req, (await params).slug, false);
  return new Response(null, { status: res.status, headers: res.headers });
}
