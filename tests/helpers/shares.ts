import { eq } from "drizzle-orm";
import type { Database } from "../../src/server/db/client";
import { shares } from "../../src/server/db/schema";
import { ShareService } from "../../src/server/services/share-service";
import { call } from "./http";
import * as sharePage from "../../src/app/s/[slug]/route";
import * as shareImage from "../../src/app/s/[slug]/image/route";

export * as sharesRoute from "../../src/app/api/shares/route";
export * as shareRoute from "../../src/app/api/shares/[id]/route";
export * as sharedSaveRoute from "../../src/app/api/shared/[slug]/save/route";
export { sharePage, shareImage };

export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
export const SLACKBOT_UA = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)";

/** A share link made the way the owner's API makes it (the service behind POST /api/shares). */
export function createShare(db: Database, userId: string, input: Record<string, unknown>) {
  return new ShareService(db, userId).create(input);
}

/** The public page, as a browser (or the given user agent) asks for it: GET /s/{slug}, or HEAD. */
export function openPage(slug: string, options: { userAgent?: string; method?: "GET" | "HEAD" } = {}) {
  const method = options.method ?? "GET";
  const handler = method === "HEAD" ? sharePage.HEAD : sharePage.GET;
  return call(handler, method, `/s/${slug}`, { params: { slug }, headers: { "user-agent": options.userAgent ?? BROWSER_UA } });
}

/** The social card: GET /s/{slug}/image, with the body kept as bytes. */
export async function openImage(slug: string) {
  const res = await shareImage.GET(new Request(`http://localhost:3000/s/${slug}/image`, { headers: { "user-agent": SLACKBOT_UA } }), {
    params: Promise.resolve({ slug }),
  });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export async function shareRow(db: Database, id: string) {
  const [row] = await db.select().from(shares).where(eq(shares.id, id));
  if (!row) throw new Error(`share ${id} not found`);
  return row;
}

export const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
