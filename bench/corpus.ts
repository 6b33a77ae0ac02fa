/**
 * A synthetic but realistic-shaped prompt library for the search benchmark: five kinds of prompts (coding,
 * writing, support, research, marketing) built from sentence templates, pasted material (code, logs,
 * emails) that brings the long tail of unique tokens real libraries have, and a controlled spread of word
 * frequencies — see BENCH_TERMS. Deterministic: the same seed gives the same library.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough to make a repeatable corpus. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

export type Domain = "coding" | "writing" | "support" | "research" | "marketing";

const DOMAIN_WEIGHTS: [Domain, number][] = [
  ["coding", 0.3],
  ["writing", 0.2],
  ["support", 0.18],
  ["research", 0.14],
  ["marketing", 0.18],
];

const SLOTS: Record<string, readonly string[]> = {
  lang: ["Python", "TypeScript", "Go", "Rust", "SQL", "Java", "Kotlin", "Ruby", "C#", "Bash", "Swift", "PHP"],
  thing: ["API endpoint", "unit tests", "database migration", "React component", "CLI tool", "regular expression", "Dockerfile", "CI pipeline", "GraphQL resolver", "background job", "caching layer", "rate limiter", "webhook handler", "data pipeline"],
  product: ["Acme CRM", "Northwind Pay", "Lumen Notes", "Orbit Analytics", "Harbor Cloud", "Quill Docs", "Pixel Studio", "Trailhead HR", "Beacon Mail", "Summit Books"],
  audience: ["new customers", "enterprise buyers", "junior developers", "busy executives", "high school students", "small business owners", "product managers", "nurses", "data scientists", "first-time founders"],
  tone: ["friendly", "formal", "playful", "concise", "empathetic", "authoritative", "warm", "neutral"],
  format: ["a bulleted list", "a table", "JSON", "three short paragraphs", "a numbered checklist", "Markdown with headings", "a one-line summary", "YAML"],
  topic: ["remote work", "climate policy", "supply chains", "sleep research", "electric vehicles", "urban gardening", "open source licensing", "inflation", "language learning", "microbiome studies", "solar storage", "retail pricing"],
  channel: ["email", "LinkedIn", "Instagram", "a landing page", "a push notification", "a podcast intro", "a blog post", "Twitter"],
  issue: ["a late delivery", "a double charge", "a broken login", "a missing invoice", "a cancelled order", "slow performance", "a data export failure", "a locked account"],
  genre: ["short story", "cover letter", "product description", "wedding speech", "newsletter intro", "poem", "press release", "personal essay", "book blurb"],
};

function fill(r: Rng, template: string): string {
  return template.replace(/\{(\w+)\}/g, (_, slot: string) => pick(r, SLOTS[slot] ?? [slot]));
}

const TITLES: Record<Domain, readonly string[]> = {
  coding: ["Refactor {lang} {thing}", "Write {thing} in {lang}", "Code review checklist for {lang}", "Explain this {lang} error", "Generate {thing} tests", "Convert {lang} to {lang}", "Optimize slow {thing}", "Document the {thing}", "Debug flaky {thing}", "Design a {thing} for {product}"],
  writing: ["Draft a {genre}", "Edit my {genre} for clarity", "{tone} {genre} for {audience}", "Rewrite in a {tone} voice", "Outline a {genre} about {topic}", "Proofread {genre}", "Shorten this {genre}", "Storytelling coach"],
  support: ["Reply to a customer about {issue}", "Apology for {issue}", "Escalation summary: {issue}", "Support macro: {issue}", "Onboarding email for {product}", "Onboarding checklist for {audience}", "Refund policy explainer", "Troubleshooting guide for {product}", "De-escalate an angry customer"],
  research: ["Summarize papers on {topic}", "Literature review: {topic}", "Compare studies about {topic}", "Research plan for {topic}", "Extract findings as {format}", "Critique the methodology", "Interview questions about {topic}", "Explain {topic} to {audience}"],
  marketing: ["{channel} copy for {product}", "Launch announcement for {product}", "Newsletter for {audience}", "SEO brief: {topic}", "A/B test headlines for {product}", "Campaign ideas for {audience}", "Onboarding drip for {product}", "Positioning statement for {product}", "Customer persona: {audience}"],
};

const SENTENCES: Record<Domain, readonly string[]> = {
  coding: [
    "You are a senior {lang} engineer reviewing a pull request.",
    "Refactor the following {thing} so it is easier to test and reason about.",
    "Point out bugs, race conditions and missing error handling before style issues.",
    "Write idiomatic {lang} and explain each change in one sentence.",
    "Keep the public interface unchanged unless a change is clearly necessary.",
    "Add unit tests that cover the edge cases you found.",
    "Assume the code runs in production with thousands of requests per second.",
    "Explain the time and space complexity of your solution.",
    "Prefer the standard library over new dependencies.",
    "If something is ambiguous, state your assumption and continue.",
    "Return only the code block followed by a short changelog.",
    "The service is deployed with Docker and uses PostgreSQL for storage.",
    "Check how the {thing} behaves when the network is slow or the input is empty.",
    "Suggest logging and metrics that would make this easier to debug next time.",
  ],
  writing: [
    "You are an experienced editor with a sharp eye for rhythm and clarity.",
    "Write a {genre} for {audience} in a {tone} tone.",
    "Keep sentences short and vary their length.",
    "Avoid clichés, filler words and passive voice where possible.",
    "Open with a concrete detail rather than a general statement.",
    "Keep my meaning but improve the flow between paragraphs.",
    "Mark every change you make so I can review it.",
    "The piece should take about two minutes to read aloud.",
    "End with a line that invites the reader to reply.",
    "Do not invent facts; ask me if something is missing.",
    "Match the voice of the sample I paste below.",
    "Suggest three alternative titles.",
  ],
  support: [
    "You are a patient customer support agent for {product}.",
    "The customer is upset about {issue} and has written twice already.",
    "Acknowledge the problem, apologise once, and explain the next step clearly.",
    "Do not promise anything our policy does not allow.",
    "Keep the reply under 150 words and sign it with the agent's first name.",
    "If the customer mentions a chargeback, escalate to the billing team.",
    "Offer a workaround if the fix will take more than a day.",
    "Use the customer's name and reference their ticket number.",
    "Summarise the conversation for the next agent in three bullet points.",
    "Classify the ticket by urgency and product area.",
    "Write in plain language without internal jargon.",
    "Thank the customer for their patience.",
  ],
  research: [
    "You are a research assistant helping me understand {topic}.",
    "Summarise the main findings and note the sample sizes.",
    "Separate what the studies show from what the authors speculate.",
    "Highlight conflicting results and possible reasons for them.",
    "Cite the paper and section for every claim.",
    "Present the results as {format}.",
    "Flag methodological weaknesses such as small samples or missing controls.",
    "Suggest three follow-up questions worth investigating.",
    "Explain any statistics in terms a non-specialist can follow.",
    "List the key terms with one-line definitions.",
    "Compare the evidence from before and after 2020.",
  ],
  marketing: [
    "You are a conversion copywriter for {product}.",
    "Write copy for {channel} aimed at {audience}.",
    "Lead with the benefit, not the feature.",
    "Include one clear call to action.",
    "Write five headline variants for an A/B test.",
    "Keep the tone {tone} and on brand.",
    "Mention the free trial but do not sound pushy.",
    "Use social proof from the testimonials below.",
    "Stay under the character limit for {channel}.",
    "Suggest the best time to send and a subject line.",
    "Optimise for the keyword cluster around {topic} without stuffing.",
  ],
};

/** Words whose frequency is controlled, with the probability that a prompt of the domain gets the sentence. */
const MEDIUM: Record<Domain, [number, string][]> = {
  coding: [
    [0.07, "The cluster runs on Kubernetes, so consider pod restarts and readiness probes."],
    [0.05, "Make the function idempotent so retries are safe."],
    [0.04, "Profile memory allocations with a flame graph first."],
  ],
  writing: [
    [0.08, "Use a metaphor only where it makes the idea clearer."],
    [0.05, "Write it as a limerick if it fits."],
  ],
  support: [
    [0.1, "If the customer asks for a refund, follow the 30-day refund policy."],
    [0.06, "Mention the status page for outages."],
  ],
  research: [
    [0.08, "Focus on randomized controlled trials and meta-analyses."],
    [0.05, "Note any conflict of interest in the funding."],
  ],
  marketing: [
    [0.1, "Keep the newsletter skimmable with short sections."],
    [0.06, "Reference the customer testimonial about onboarding speed."],
  ],
};

/** Said in many kinds of prompt: this is what makes "context" a very common word. */
const FRAMING = [
  "Use the context below to ground your answer.",
  "Here is some context about the audience: {audience}.",
  "If the context is missing something important, ask before guessing.",
  "Read the whole context before you start.",
  "Context: we are a small team working on {product}.",
];
const COMMON_PROBABILITY = 0.36;

const CLOSINGS = [
  "Format the output as {format}.",
  "Think step by step, then give the final answer.",
  "Be specific and avoid generic advice.",
  "Keep it under 200 words.",
  "Ask me one clarifying question if needed.",
];

/** Very rare topics, each in well under 0.1% of prompts. */
const RARE = [
  "Explain photosynthesis the way a botanist would to a curious child.",
  "Include a short reference to the Zanzibar archipelago.",
  "Write the answer in the style of a sea shanty.",
];
const RARE_PROBABILITY = 0.0015; // spread over the three sentences → ~0.05% each

const VERBS = ["parse", "load", "save", "fetch", "build", "sync", "render", "validate", "merge", "resolve", "compute", "flush", "encode", "retry", "index"];
const NOUNS = ["Invoice", "User", "Order", "Session", "Cart", "Report", "Token", "Ledger", "Queue", "Payload", "Config", "Schema", "Batch", "Webhook", "Profile"];
const NAMES = ["Maria", "Kenji", "Priya", "Tom", "Aisha", "Lucas", "Ingrid", "Omar", "Chen", "Sofia", "Dmitri", "Fatima"];

/** Pasted material: code, a log, an email — full of identifiers and numbers that only occur once or twice. */
function pasted(r: Rng, domain: Domain, budget: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < budget) {
    let line: string;
    if (domain === "coding") {
      const fn = `${pick(r, VERBS)}${pick(r, NOUNS)}${r() < 0.5 ? pick(r, NOUNS) : ""}`;
      line =
        r() < 0.5
          ? `function ${fn}(id${Math.floor(r() * 90)}, opts) { return ${pick(r, VERBS)}(opts.${pick(r, NOUNS).toLowerCase()}Id ?? ${Math.floor(r() * 100000)}); }`
          : `[${2020 + Math.floor(r() * 6)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}] ERROR ${fn} failed: timeout after ${Math.floor(r() * 5000)}ms (req ${Math.floor(r() * 1e8).toString(36)})`;
    } else if (domain === "support") {
      line = `${pick(r, NAMES)} wrote on ticket #${Math.floor(r() * 900000)}: I still have ${fill(r, "{issue}")} with order ${Math.floor(r() * 1e7).toString(36).toUpperCase()} and nobody answered.`;
    } else {
      line = `${fill(r, "Note on {topic}")}: ${pick(r, NAMES)} reported ${Math.floor(r() * 100)}% in sample ${Math.floor(r() * 1e6).toString(36)} (n=${Math.floor(r() * 5000)}), see ${pick(r, NOUNS).toLowerCase()} ${Math.floor(r() * 999)}.`;
    }
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

/** 35% short (50–300 chars), 40% medium (300–1,200), 25% long (1,200–3,000). */
function targetLength(r: Rng): number {
  const u = r();
  if (u < 0.35) return 50 + Math.floor(r() * 250);
  if (u < 0.75) return 300 + Math.floor(r() * 900);
  return 1200 + Math.floor(r() * 1800);
}

export type GeneratedPrompt = { domain: Domain; title: string; body: string; description: string };

export function generatePrompt(r: Rng): GeneratedPrompt {
  let u = r();
  let domain: Domain = "coding";
  for (const [d, w] of DOMAIN_WEIGHTS) {
    if (u < w) {
      domain = d;
      break;
    }
    u -= w;
  }
  const length = targetLength(r);
  const parts: string[] = [];
  // The controlled sentences go first so that a short prompt keeps them (bodies are cut to length below).
  for (const [p, sentence] of MEDIUM[domain]) if (r() < p) parts.push(fill(r, sentence));
  if (r() < RARE_PROBABILITY) parts.push(pick(r, RARE));
  if (r() < COMMON_PROBABILITY) parts.push(fill(r, pick(r, FRAMING)));
  parts.unshift(fill(r, pick(r, SENTENCES[domain])));
  const closing = r() < 0.6 ? fill(r, pick(r, CLOSINGS)) : "";
  let body = parts.join(" ");
  while (body.length + closing.length < length * (length > 1200 ? 0.55 : 1)) body += ` ${fill(r, pick(r, SENTENCES[domain]))}`;
  if (length > 1200) body += `\n\n"""\n${pasted(r, domain, length - body.length - closing.length - 10)}\n"""`;
  if (closing) body += `\n\n${closing}`;
  if (body.length > length + 200) body = body.slice(0, length + 200);

  const title = r() < 0.12 ? body.split(/[.\n]/, 1)[0]!.slice(0, 80) : fill(r, pick(r, TITLES[domain]));
  const description = r() < 0.15 ? `Used for ${fill(r, "{audience}")} — ${domain} prompt` : "";
  return { domain, title, body, description };
}

/**
 * The terms the benchmark searches for and the share of prompts they are built to hit (measured after
 * seeding; the table prints the real count).
 */
export const BENCH_TERMS = {
  common: "context", // FRAMING: ~36% of prompts
  medium: "kubernetes", // 7% of coding prompts → ~2%
  rare: "photosynthesis", // ~0.05%
  substring: "nboar", // inside "Onboarding" in support and marketing titles
  twoWords: "customer refund", // "customer" is common in support, "refund" medium
  typingPrefix: "cont", // while typing "context": cont:* also hits content, continue, controls…
} as const;

export const DOMAINS = DOMAIN_WEIGHTS.map(([d]) => d);
