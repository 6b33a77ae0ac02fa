import { ImageResponse } from "next/og";
import { getDatabase } from "@/server/db/client";
import { PublicShareService } from "@/server/services/share-service";

export const dynamic = "force-dynamic";

// next/og fetches any glyph its bundled font lacks: emoji from a CDN, and when that fetch fails the image
// stream errors half-way (a broken 200). Emoji are left out of the card so it always renders offline; the
// few pictographs the bundled font does draw (© ® ™, arrows, ☺) are kept.
const EMOJI = /\p{RI}|\p{EMod}|[\u200d\ufe0f\u20e3\u{e0020}-\u{e007f}]|(?![\u00a9\u00ae\u2122\u2194-\u2199\u21a9\u21aa\u25b6\u25c0\u2639\u263a])\p{Extended_Pictographic}/gu;
const drawable = (text: string) => text.replace(EMOJI, "");

/**
 * The social card (1200×630) of a shared prompt. Rendered by next/og with its bundled font, so it builds
 * and renders offline. Reading it never counts a view.
 */
export async function GET(_req: Request, { params }: { params: Promise<{ slug: string }> }) {
  const access = await new PublicShareService(await getDatabase()).peek((await params).slug, { ignoreViews: true });
  if (!access.ok) return new Response("Not available", { status: access.state === "missing" ? 404 : 410 });
  const title = drawable(access.share.title);
  const body = drawable(access.share.body);
  const authorName = access.share.authorName && drawable(access.share.authorName);
  const excerpt = body.replace(/\s+/g, " ").trim().slice(0, 220);
  return new ImageResponse(
    (
      <div style={{ width: "100%", height: "100%", display: "flex", flexDirection: "column", background: "#f8fafc", padding: 64, fontSize: 28, color: "#0f172a" }}>
        <div style={{ display: "flex", fontSize: 30, fontWeight: 600 }}>
          Prompt<span style={{ color: "#4f46e5" }}>Vault</span>
        </div>
        <div style={{ display: "flex", marginTop: 48, fontSize: 60, fontWeight: 700, lineHeight: 1.15 }}>{title.slice(0, 90)}</div>
        <div style={{ display: "flex", marginTop: 28, color: "#475569", lineHeight: 1.4 }}>{excerpt}{body.length > 220 ? "…" : ""}</div>
        <div style={{ display: "flex", marginTop: "auto", color: "#64748b", fontSize: 24 }}>{authorName ? `Shared by ${authorName}` : "A shared prompt"}</div>
      </div>
    ),
    { width: 1200, height: 630, headers: { "cache-control": "public, max-age=300" } },
  );
}
