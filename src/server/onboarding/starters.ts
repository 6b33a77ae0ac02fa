import type { TemplateParameter } from "@/lib/templates";

/** What people use AI for; onboarding asks, and picks starter templates by it. */
export const ROLES = [
  { id: "engineering", label: "Software engineering" },
  { id: "writing", label: "Writing & editing" },
  { id: "support", label: "Customer support" },
  { id: "research", label: "Research & analysis" },
  { id: "marketing", label: "Marketing & sales" },
  { id: "data", label: "Data & spreadsheets" },
  { id: "learning", label: "Learning & teaching" },
] as const;
export type RoleId = (typeof ROLES)[number]["id"];

export const TOOLS = ["ChatGPT", "Claude", "Gemini", "Cursor", "Cline", "GitHub Copilot", "Perplexity", "Mistral Le Chat", "Local models (Ollama…)"] as const;
export const MODELS = ["GPT-4o", "GPT-4.1", "o3", "Claude Sonnet", "Claude Opus", "Gemini 2.5 Pro", "Gemini Flash", "Llama", "Mistral", "DeepSeek"] as const;

export type Starter = { id: string; role: RoleId; title: string; body: string; parameters: TemplateParameter[] };

const text = (name: string, description?: string, required = true): TemplateParameter => ({ name, type: "text", required, ...(description && { description }) });
const choice = (name: string, options: string[], fallback: string): TemplateParameter => ({ name, type: "enum", required: false, options, default: fallback });

/** Starter templates: well-structured prompts with typed variables, so a new library shows what good looks like. */
export const STARTERS: readonly Starter[] = [
  {
    id: "eng-code-review",
    role: "engineering",
    title: "Review a change like a senior engineer",
    body: "You are a senior {{language}} engineer reviewing a pull request.\n\nContext: {{context}}\n\nDiff:\n```\n{{diff}}\n```\n\nReview for correctness, security, performance and readability. List each issue with its line, why it matters and a concrete fix. End with a verdict: approve, approve with nits, or request changes.",
    parameters: [text("language"), text("context", "What the change is for", false), text("diff")],
  },
  {
    id: "eng-explain-error",
    role: "engineering",
    title: "Explain an error and fix it",
    body: "I get this error in a {{stack}} project:\n\n```\n{{error}}\n```\n\nRelevant code:\n```\n{{code}}\n```\n\nExplain the root cause in two sentences, then give the smallest fix and how to verify it.",
    parameters: [text("stack", "e.g. Next.js 16 + Postgres"), text("error"), text("code")],
  },
  {
    id: "eng-tests",
    role: "engineering",
    title: "Write tests for a function",
    body: "Write {{framework}} tests for the function below. Cover the normal cases, the edge cases (empty input, limits, invalid values) and one property that must always hold. Do not mock the function's own module.\n\n```\n{{code}}\n```",
    parameters: [choice("framework", ["vitest", "jest", "pytest", "go test", "JUnit"], "vitest"), text("code")],
  },
  {
    id: "write-edit",
    role: "writing",
    title: "Edit for clarity without changing my voice",
    body: "Edit the text below for clarity and concision for {{audience}}. Keep my voice and every fact. Return the edited text, then a short list of the main changes and why.\n\nText:\n{{text}}",
    parameters: [text("audience", "Who will read it"), text("text")],
  },
  {
    id: "write-outline",
    role: "writing",
    title: "Outline an article",
    body: "Create an outline for a {{length}}-word article about {{topic}} for {{audience}}. Give a working title, a one-sentence thesis, 4–6 sections with the key point of each, and the evidence or example each needs.",
    parameters: [text("topic"), text("audience"), { name: "length", type: "number", required: false, default: "1200" }],
  },
  {
    id: "support-reply",
    role: "support",
    title: "Reply to a customer",
    body: "You are a support agent for {{product}}. Write a reply to the customer message below. Tone: {{tone}}. Acknowledge the problem, give clear next steps, and do not promise anything the policy does not allow.\n\nPolicy notes: {{policy}}\n\nCustomer message:\n{{message}}",
    parameters: [text("product"), choice("tone", ["warm", "formal", "brief"], "warm"), text("policy", undefined, false), text("message")],
  },
  {
    id: "support-summarise",
    role: "support",
    title: "Summarise a support thread",
    body: "Summarise this support conversation for a colleague taking over: the customer's goal, what was tried, the current status and the next action. Five bullet points at most.\n\n{{thread}}",
    parameters: [text("thread")],
  },
  {
    id: "research-summary",
    role: "research",
    title: "Summarise a paper critically",
    body: "Summarise the paper below for {{audience}}: the question, the method, the main result with its numbers, and the three most important limitations. Say what would change your mind about the conclusion.\n\n{{paper}}",
    parameters: [text("audience"), text("paper")],
  },
  {
    id: "research-compare",
    role: "research",
    title: "Compare options with criteria",
    body: "Compare {{options}} for {{goal}}. Use a table with the criteria {{criteria}}, then recommend one option, state your confidence, and name what information would most change the recommendation.",
    parameters: [text("options"), text("goal"), text("criteria")],
  },
  {
    id: "marketing-copy",
    role: "marketing",
    title: "Landing page copy",
    body: "Write landing page copy for {{product}}, for {{audience}}. Include a headline (under 10 words), a subheadline, three benefit blocks (title + one sentence), and a call to action. Avoid clichés and claims we cannot prove.",
    parameters: [text("product"), text("audience")],
  },
  {
    id: "marketing-email",
    role: "marketing",
    title: "Cold email that gets replies",
    body: "Write a cold email to a {{role}} at {{company}} about {{offer}}. Under 120 words, one specific reason they should care, one question as the call to action. Give two subject lines.",
    parameters: [text("role"), text("company"), text("offer")],
  },
  {
    id: "data-sql",
    role: "data",
    title: "Write a SQL query from a question",
    body: "Given this {{dialect}} schema:\n\n{{schema}}\n\nWrite a query that answers: {{question}}\n\nExplain any assumption, and make it efficient on large tables.",
    parameters: [choice("dialect", ["PostgreSQL", "MySQL", "SQLite", "BigQuery"], "PostgreSQL"), text("schema"), text("question")],
  },
  {
    id: "data-formula",
    role: "data",
    title: "Spreadsheet formula",
    body: "In {{app}}, write a formula that {{goal}}. The data is laid out like this: {{layout}}. Explain how it works in one sentence per part.",
    parameters: [choice("app", ["Google Sheets", "Excel"], "Google Sheets"), text("goal"), text("layout")],
  },
  {
    id: "learn-explain",
    role: "learning",
    title: "Explain a concept at my level",
    body: "Explain {{concept}} to someone who knows {{background}}. Start with an intuition, then a concrete example, then the precise definition. End with three questions to check my understanding.",
    parameters: [text("concept"), text("background")],
  },
  {
    id: "learn-quiz",
    role: "learning",
    title: "Quiz me",
    body: "Quiz me on {{topic}} at {{level}} level. Ask one question at a time, wait for my answer, tell me if it is right and why, and adapt the difficulty.",
    parameters: [text("topic"), choice("level", ["beginner", "intermediate", "advanced"], "intermediate")],
  },
];

export function startersFor(roles: readonly string[]): Starter[] {
  const chosen = STARTERS.filter((s) => roles.includes(s.role));
  return chosen.length > 0 ? chosen : STARTERS.filter((s) => s.id === "write-edit" || s.id === "research-compare" || s.id === "learn-explain");
}
