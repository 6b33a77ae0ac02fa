import { tokenizeTemplate, effectiveParameters } from "@/lib/templates";
import type { PublicShare } from "@/server/services/share-service";

/**
 * The public share page, as plain HTML: no framework runtime, one small script (/share.js) for copy and the
 * variables form. It renders only the PublicShare fields — nothing else about the owner or their library.
 */
const esc = (value: unknown) =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.55 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f8fafc}
a{color:#4f46e5}main{max-width:760px;margin:0 auto;padding:28px 20px 64px}header{display:flex;justify-content:space-between;align-items:center;margin-bottom:28px}
.brand{font-weight:600;text-decoration:none;color:#0f172a}.brand b{color:#4f46e5;font-weight:600}h1{font-size:26px;line-height:1.25;margin:0 0 6px}
.meta{color:#64748b;font-size:13px;margin-bottom:18px}.card{background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:18px;box-shadow:0 1px 2px #0000000d}
pre{white-space:pre-wrap;word-wrap:break-word;margin:0;font:13px/1.7 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
mark{background:#e0e7ff;color:#3730a3;border-radius:4px;padding:0 2px}mark.filled{background:#dcfce7;color:#14532d}
.row{display:flex;gap:8px;flex-wrap:wrap;margin-top:14px}button,.button{font:inherit;font-size:14px;font-weight:500;border-radius:8px;padding:8px 14px;border:1px solid #cbd5e1;background:#fff;color:#334155;cursor:pointer;text-decoration:none}
.primary{background:#4f46e5;border-color:#4f46e5;color:#fff}h2{font-size:15px;margin:28px 0 10px}label{display:block;font-size:13px;font-weight:500;margin:10px 0 4px}
input,select,textarea{width:100%;font:inherit;padding:7px 10px;border:1px solid #cbd5e1;border-radius:8px;background:#fff}.hint{font-size:12px;color:#64748b}
footer{margin-top:40px;font-size:13px;color:#64748b;text-align:center}.gone{text-align:center;padding:60px 20px}`;

function document(head: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">${head}<style>${STYLE}</style></head><body>${body}</body></html>`;
}

function brand(): string {
  return `<header><a class="brand" href="/">Prompt<b>Vault</b></a><a class="button" href="/sign-up">Create your vault</a></header>`;
}

export function sharePageHtml(share: PublicShare, origin: string, options: { metadataOnly?: boolean } = {}): string {
  const url = `${origin}/s/${share.slug}`;
  const description = share.body.replace(/\s+/g, " ").trim().slice(0, 160);
  const head = [
    `<title>${esc(share.title)} · PromptVault</title>`,
    `<meta name="description" content="${esc(description)}">`,
    `<link rel="canonical" href="${esc(url)}">`,
    share.noindex ? `<meta name="robots" content="noindex, nofollow">` : "",
    `<meta property="og:type" content="article"><meta property="og:site_name" content="PromptVault">`,
    `<meta property="og:title" content="${esc(share.title)}"><meta property="og:description" content="${esc(description)}">`,
    `<meta property="og:url" content="${esc(url)}"><meta property="og:image" content="${esc(`${url}/image`)}">`,
    `<meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">`,
    `<meta name="twitter:card" content="summary_large_image"><meta name="twitter:title" content="${esc(share.title)}">`,
    `<meta name="twitter:description" content="${esc(description)}"><meta name="twitter:image" content="${esc(`${url}/image`)}">`,
    `<script src="/share.js" defer></script>`,
  ].join("");
  if (options.metadataOnly) return document(head, `<main>${brand()}<h1>${esc(share.title)}</h1><p class="meta">A prompt shared with PromptVault.</p></main>`);

  const highlighted = tokenizeTemplate(share.body)
    .map((t) => (t.variable ? `<mark data-var="${esc(t.variable)}">${esc(t.text)}</mark>` : esc(t.text)))
    .join("");
  const variables = effectiveParameters(share.body, share.parameters);
  const form = variables
    .map((v) => {
      const id = `v-${esc(v.name)}`;
      const attrs = `id="${id}" name="${esc(v.name)}" data-type="${v.type}"${v.required ? " data-required" : ""}${v.default ? ` placeholder="${esc(v.default)}" data-default="${esc(v.default)}"` : ""}`;
      const control =
        v.type === "enum"
          ? `<select ${attrs}><option value="">${v.default ? `Default: ${esc(v.default)}` : "Choose…"}</option>${(v.options ?? []).map((o) => `<option>${esc(o)}</option>`).join("")}</select>`
          : `<input ${attrs} type="${v.type === "number" ? "number" : "text"}">`;
      return `<label for="${id}">${esc(v.name)}${v.required ? " *" : ""}</label>${control}${v.description ? `<div class="hint">${esc(v.description)}</div>` : ""}`;
    })
    .join("");
  const meta = [`Version ${share.version}${share.pinned ? "" : " (latest)"}`, share.authorName ? `by ${esc(share.authorName)}` : ""].filter(Boolean).join(" · ");
  const body = `<main>${brand()}
<h1>${esc(share.title)}</h1><div class="meta">${meta}</div>
<div class="card"><pre id="prompt" data-template="${esc(share.body)}">${highlighted}</pre></div>
<div class="row"><button class="primary" type="button" id="copy">Copy prompt</button>${share.allowCopy ? `<a class="button" href="/s/${esc(share.slug)}/save">Save to my library</a>` : ""}</div>
${variables.length ? `<h2>Fill in the variables</h2><form id="vars" class="card" autocomplete="off">${form}<p class="hint" id="problems" role="status"></p></form>` : ""}
<footer>Shared with <a href="/">PromptVault</a> — keep, version and share your AI prompts.</footer></main>`;
  return document(head, body);
}

const GONE_TEXT: Record<string, string> = {
  expired: "This shared prompt has expired.",
  exhausted: "This shared prompt has reached its view limit.",
  revoked: "This shared prompt is no longer shared.",
  unavailable: "This shared prompt is no longer available.",
  missing: "There is no shared prompt at this address.",
};

export function goneHtml(state: string): string {
  return document(
    `<title>Not available · PromptVault</title><meta name="robots" content="noindex">`,
    `<main>${brand()}<div class="gone"><h1>${esc(GONE_TEXT[state] ?? GONE_TEXT.unavailable)}</h1><p class="meta">Ask the person who sent you the link for a new one.</p><p><a class="button" href="/">What is PromptVault?</a></p></div></main>`,
  );
}
