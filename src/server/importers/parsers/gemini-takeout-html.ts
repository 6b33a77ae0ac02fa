/**
 * Google Takeout `MyActivity.html` (formats README §3a), read without a DOM: the page is a flat list of
 * Material-Design-Lite cards, `<div class="outer-cell …">`, each with a title cell (the product, "Gemini
 * Apps"), a body cell and a caption cell ("Products: Gemini Apps"). The body cell starts with
 * `Prompted&nbsp;<prompt><br><date><br>` and then the response as block HTML (`<p>…`). So a card is read by
 * its `<br>`-separated lines up to the first block tag: the prompt lines, then the first line that looks like
 * a date, then optional "Attached 1 file." / "- name.png" lines.
 *
 * Dates are localised strings ("Sep 3, 2026, 9:15:00 AM UTC", "18 Sept 2025, 12:02:52 CET",
 * "10 de mai. de 2026, 03:46:09 BRT", "2026年6月20日 00:28:51 CST", "May 19, 2026, 7:07:02\u202fPM
 * GMT-03:00", "1. 1. 2026 10:00:00 SEČ"); parseActivityDate reads the common shapes.
 */

export type HtmlActivity = {
  header: string;
  /** The caption cell's text ("Products: Gemini Apps"). */
  products: string;
  /** The card's title line(s): "Prompted <prompt>" (decoded, lines joined with "\n"). */
  title: string;
  time: ActivityTime | null;
  hasResponse: boolean;
  appId: string | null;
  attachments: string[];
};

// Attribute runs are bounded so a stray "<div" without ">" cannot make a scan quadratic.
const CARD = /<div\b[^>]{0,500}?\bclass\s*=\s*["'][^"'>]{0,500}?\bouter-cell\b[^"'>]{0,500}["'][^>]{0,500}>/gi;
const TITLE_CELL = /<p\b[^>]{0,500}?class\s*=\s*["'][^"'>]{0,500}?mdl-typography--title[^"'>]{0,500}["'][^>]{0,500}>([\s\S]*?)<\/p>/i;
const CELL = /<div\b[^>]{0,500}?\bclass\s*=\s*["']([^"'>]{0,500}?\bcontent-cell\b[^"'>]{0,500})["'][^>]{0,500}>/gi;
const BLOCK_TAG = /<(?:p|div|ul|ol|h[1-6]|pre|table|blockquote|img|figure|hr|section|details)\b/i;
const BR = /<br\s*\/?>/i;
const APP_URL = /https?:\/\/gemini\.google\.com\/app\/([A-Za-z0-9_-]+)/;

export function isActivityPage(html: string): boolean {
  return /\bouter-cell\b/.test(html) || /\bmdl-typography--body-1\b/.test(html);
}

export function* readHtmlActivities(html: string): Generator<HtmlActivity> {
  const starts: number[] = [];
  CARD.lastIndex = 0;
  for (let m = CARD.exec(html); m !== null; m = CARD.exec(html)) starts.push(m.index);
  for (let k = 0; k < starts.length; k++) {
    const card = html.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : html.length);
    yield readCard(card);
  }
}

function readCard(card: string): HtmlActivity {
  const header = htmlToText(TITLE_CELL.exec(card)?.[1] ?? "").trim();
  let body = "";
  let products = "";
  const cells: { cls: string; start: number; end: number }[] = [];
  CELL.lastIndex = 0;
  for (let m = CELL.exec(card); m !== null; m = CELL.exec(card)) cells.push({ cls: m[1]!, start: m.index + m[0].length, end: card.length });
  for (let i = 0; i < cells.length; i++) cells[i]!.end = i + 1 < cells.length ? card.lastIndexOf("<div", cells[i + 1]!.start - 1) : card.length;
  for (const cell of cells) {
    const content = card.slice(cell.start, Math.max(cell.start, cell.end));
    if (/mdl-typography--caption/.test(cell.cls)) products ||= htmlToText(content.replace(/<br\s*\/?>/gi, " "));
    else if (/mdl-typography--body-1/.test(cell.cls) && !/text-right/.test(cell.cls) && body === "") body = content;
  }

  const block = BLOCK_TAG.exec(body);
  const leading = block ? body.slice(0, block.index) : body;
  const lines = leading.split(new RegExp(BR.source, "gi")).map((l) => htmlToText(l).trim());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let dateLine = -1;
  for (let i = 1; i < lines.length; i++) {
    if (looksLikeDate(lines[i]!)) {
      dateLine = i;
      break;
    }
  }
  const titleLines = dateLine === -1 ? lines : lines.slice(0, dateLine);
  const after = dateLine === -1 ? [] : lines.slice(dateLine + 1);
  const attachments: string[] = [];
  let attachedBlock = false;
  for (const line of after) {
    if (/^Attached \d+ files?\.?$/i.test(line)) attachedBlock = true;
    else if (attachedBlock && /^-\s*\S/.test(line)) attachments.push(line.replace(/^-\s*/, "").trim());
    else attachedBlock = false;
  }
  const rest = block ? body.slice(block.index) : "";
  return {
    header,
    products,
    title: titleLines.join("\n"),
    time: dateLine === -1 ? null : parseActivityDate(lines[dateLine]!),
    hasResponse: htmlToText(rest).trim() !== "" || /<img\b/i.test(rest) || after.some((l) => l !== "" && !/^Attached \d+ files?\.?$/i.test(l) && !/^-\s/.test(l)),
    appId: APP_URL.exec(leading)?.[1] ?? null,
    attachments,
  };
}

/** Tags removed, entities decoded, no-break spaces made plain (the prompt's own line breaks are kept). */
export function htmlToText(html: string): string {
  return decodeEntities(html.replace(/<[^>]*>/g, "")).replace(/[\u00a0\u202f]/g, " ");
}

const ENTITIES: Record<string, string> = {
  amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0", emsp: "\u2003", ensp: "\u2002", thinsp: "\u2009",
  hellip: "…", mdash: "—", ndash: "–", lsquo: "‘", rsquo: "’", ldquo: "“", rdquo: "”", laquo: "«", raquo: "»",
  copy: "©", reg: "®", trade: "™", euro: "€", pound: "£", yen: "¥", cent: "¢", sect: "§", deg: "°", plusmn: "±",
  times: "×", divide: "÷", middot: "·", bull: "•", para: "¶", iexcl: "¡", iquest: "¿", shy: "\u00ad", zwj: "\u200d",
  zwnj: "\u200c", larr: "←", rarr: "→", uarr: "↑", darr: "↓",
};

export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#\d{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});/g, (whole, body: string) => {
    if (body[0] === "#") {
      const code = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
      return String.fromCodePoint(code);
    }
    return ENTITIES[body] ?? ENTITIES[body.toLowerCase()] ?? whole;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Localised dates

/** `ms` is UTC when `exact`; when the time zone is unknown it is the local wall time read as UTC. */
export type ActivityTime = { ms: number; exact: boolean };

const MONTHS: Record<string, number> = {
  jan: 1, ene: 1, gen: 1, feb: 2, fev: 2, mar: 3, maa: 3, mrt: 3, apr: 4, avr: 4, abr: 4, may: 5, mai: 5, mag: 5,
  mei: 5, jun: 6, giu: 6, jul: 7, lug: 7, aug: 8, ago: 8, aou: 8, sep: 9, set: 9, oct: 10, okt: 10, out: 10, ott: 10,
  nov: 11, dec: 12, dez: 12, dic: 12,
};

// Offsets in minutes. Ambiguous abbreviations take their most common meaning among Gemini users; CST is
// China's in a CJK-formatted date and US Central otherwise.
const ZONES: Record<string, number> = {
  UTC: 0, GMT: 0, UT: 0, Z: 0, WET: 0, WEST: 60, BST: 60, IST: 330, CET: 60, CEST: 120, MEZ: 60, MESZ: 120,
  "SEČ": 60, "SELČ": 120, EET: 120, EEST: 180, MSK: 180, TRT: 180, GST: 240, PKT: 300, ICT: 420, WIB: 420,
  SGT: 480, HKT: 480, PHT: 480, AWST: 480, JST: 540, KST: 540, ACST: 570, ACDT: 630, AEST: 600, AEDT: 660,
  NZST: 720, NZDT: 780, HST: -600, AKST: -540, AKDT: -480, PST: -480, PDT: -420, MST: -420, MDT: -360,
  CST: -360, CDT: -300, EST: -300, EDT: -240, AST: -240, ADT: -180, NST: -210, NDT: -150, BRT: -180,
  BRST: -120, ART: -180, CLT: -240, CLST: -180, COT: -300, PET: -300, VET: -240, UYT: -180, PYT: -240,
  BOT: -240, ECT: -300, WAT: 60, CAT: 120, EAT: 180, SAST: 120,
};

export function parseActivityDate(raw: string): ActivityTime | null {
  const s = raw.replace(/[\u00a0\u202f\u2007\u2009]/g, " ").replace(/\s+/g, " ").trim();
  if (s.length > 80) return null;
  const clock = /(\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(s);
  if (!clock) return null;
  const before = s.slice(0, clock.index);
  const after = s.slice(clock.index + clock[0].length);
  const day = parseDay(before);
  if (!day) return null;

  let hour = Number(clock[1]);
  const minute = Number(clock[2]);
  const second = Number(clock[3] ?? 0);
  const pm = /(?:^|[\s,])p\.? ?m\.?(?=$|[\s,])/i.test(after) || /午後|下午|오후/.test(before + after);
  const am = !pm && (/(?:^|[\s,])a\.? ?m\.?(?=$|[\s,])/i.test(after) || /午前|上午|오전/.test(before + after));
  if (pm && hour < 12) hour += 12;
  if (am && hour === 12) hour = 0;
  if (hour > 23 || minute > 59 || second > 60) return null;

  const offset = zoneOffset(after, day.cjk);
  const local = Date.UTC(day.year, day.month - 1, day.day, hour, minute, second);
  return { ms: local - (offset ?? 0) * 60_000, exact: offset !== null };
}

function parseDay(part: string): { year: number; month: number; day: number; cjk: boolean } | null {
  const valid = (year: number, month: number, day: number, cjk = false) => {
    if (month < 1 || month > 12 || day < 1 || day > 31) return null;
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCDate() === day ? { year, month, day, cjk } : null;
  };
  const cjk = /(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})/.exec(part);
  if (cjk) return valid(Number(cjk[1]), Number(cjk[2]), Number(cjk[3]), true);
  const ymd = /(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})/.exec(part);
  if (ymd) return valid(Number(ymd[1]), Number(ymd[2]), Number(ymd[3]));
  const numeric = /(\d{1,2})\s*([./-])\s*(\d{1,2})\s*\2\s*(\d{4})/.exec(part);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[3]);
    // Day first, as in every locale whose Takeout dates are numeric; month first only when the first number
    // cannot be a month... or the second cannot be one.
    if (numeric[2] === "/" && a <= 12 && b > 12) return valid(Number(numeric[4]), a, b);
    return valid(Number(numeric[4]), b, a);
  }
  const year = /(?:^|\D)(\d{4})(?:\D|$)/.exec(part);
  if (!year) return null;
  const rest = part.slice(0, year.index) + " " + part.slice(year.index + year[0].length);
  let month = 0;
  for (const token of rest.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").match(/\p{L}+/gu) ?? []) {
    const key = token.startsWith("jui") ? (token.startsWith("juil") ? "jul" : "jun") : token.slice(0, 3);
    if (token.length >= 3 && MONTHS[key]) month = MONTHS[key];
  }
  const dayMatch = /(?:^|\D)(\d{1,2})(?=\D|$)/.exec(rest);
  if (!month || !dayMatch) return null;
  return valid(Number(year[1]), month, Number(dayMatch[1]));
}

function zoneOffset(text: string, cjk: boolean): number | null {
  const explicit = /(?:GMT|UTC)\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?/i.exec(text);
  if (explicit) {
    const minutes = Number(explicit[2]) * 60 + Number(explicit[3] ?? 0);
    return minutes > 14 * 60 ? null : explicit[1] === "+" ? minutes : -minutes;
  }
  for (const token of (text.match(/[\p{L}]{1,5}/gu) ?? []).reverse()) {
    const upper = token.toUpperCase();
    if (upper === "CST" && cjk) return 480;
    if (upper in ZONES && !/^(?:AM|PM|A|P|M)$/.test(upper)) return ZONES[upper]!;
  }
  return null;
}

/** A card line that is the activity's date, even in a locale parseActivityDate cannot read. */
function looksLikeDate(line: string): boolean {
  if (line.length > 80) return false;
  if (parseActivityDate(line)) return true;
  return /\d{1,2}:\d{2}/.test(line) && /\d{4}/.test(line);
}
