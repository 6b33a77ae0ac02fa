/**
 * The built-in optimizer: no network, no model, same output for the same input. It recognises what the
 * prompt is for, then adds what a good prompt of that kind states and this one lacks — a role, the context
 * to fill in, an output format, constraints, a slot for an example — removes filler, turns placeholders
 * into explicit {{variables}}, and lays it all out in sections. Every edit is reported with its reason.
 */
import { detectVariables } from "@/lib/templates";

export type Change = { change: string; reason: string };
export type Rewrite = { rewritten: string; changes: Change[]; intent: Intent };

export type Intent = "code" | "writing" | "analysis" | "explain" | "data" | "creative" | "general";

const INTENTS: { intent: Intent; pattern: RegExp }[] = [
  { intent: "code", pattern: /\b(code|function|bug|error|exception|stack ?trace|refactor|typescript|javascript|python|java|rust|golang|sql|regex|api|endpoint|unit tests?|compile|script|class|component|react|css|html|docker|kubernetes|git)\b/i },
  { intent: "data", pattern: /\b(spreadsheet|excel|google sheets|csv|dataset|data set|chart|pivot|formula|column|dashboard|metrics)\b/i },
  { intent: "analysis", pattern: /\b(analy[sz]e|compare|evaluate|assess|summari[sz]e|summary|research|pros and cons|trade-?offs?|review|insights?|report)\b/i },
  { intent: "explain", pattern: /\b(explain|teach|what is|what are|how does|how do|why does|why do|understand|learn|eli5|tutorial)\b/i },
  { intent: "creative", pattern: /\b(story|poem|song|lyrics|fiction|novel|character|joke|slogan|brainstorm|ideas? for)\b/i },
  { intent: "writing", pattern: /\b(write|draft|email|essay|blog|article|post|letter|rewrite|edit|proofread|copy|tweet|linkedin|newsletter|cover letter|announcement)\b/i },
];

const ROLES: Record<Intent, string> = {
  code: "You are a senior software engineer who writes correct, readable, well-tested code.",
  writing: "You are an experienced editor and writer who adapts tone and length to the reader.",
  analysis: "You are a careful analyst who separates evidence from opinion.",
  explain: "You are a patient teacher who explains ideas with concrete examples.",
  data: "You are a data analyst fluent in spreadsheets, SQL and statistics.",
  creative: "You are a creative writer with a distinctive, vivid voice.",
  general: "You are a knowledgeable assistant who answers precisely and concisely.",
};

const CONTEXT_SLOTS: Record<Intent, string[]> = {
  code: ["Language and framework: {{stack}}"],
  writing: ["Audience: {{audience}}", "Purpose: {{purpose}}"],
  analysis: ["Who the result is for: {{audience}}"],
  explain: ["What I already know: {{background}}"],
  data: ["Tool: {{tool}}"],
  creative: ["Audience and tone: {{audience}}"],
  general: ["Background: {{background}}"],
};

const OUTPUT_FORMATS: Record<Intent, string[]> = {
  code: ["Return the complete code in a fenced code block.", "Then list the changes you made and why, in bullet points."],
  writing: ["Return only the finished text, in Markdown.", "Keep it under {{length}} words."],
  analysis: ["Start with a one-paragraph summary.", "Then use headings and bullet points, and end with a clear recommendation."],
  explain: ["Start with a one-sentence answer.", "Then explain step by step, with one concrete example."],
  data: ["Give the formula or query first, in a code block.", "Then explain each part in one sentence."],
  creative: ["Return only the piece itself, with a title."],
  general: ["Answer in short paragraphs or bullet points, most important first."],
};

const CONSTRAINTS: Record<Intent, string[]> = {
  code: ["Do not change behaviour that was not asked for.", "Point out any assumption about the environment."],
  writing: ["Keep every fact from the input; do not invent new ones.", "Avoid clichés and filler."],
  analysis: ["Cite the evidence for each claim; say when evidence is missing.", "Do not present opinions as facts."],
  explain: ["Avoid jargon, or define it the first time it appears."],
  data: ["State any assumption about the data layout."],
  creative: ["Avoid clichés."],
  general: ["Be concise; do not repeat the question."],
};

const FILLER_PATTERNS: { pattern: RegExp; label: string }[] = [
  { pattern: /^(?:hi|hey|hello)[,!.\s]+/i, label: "greeting" },
  { pattern: /^(?:so|ok(?:ay)?|well)[,\s]+/i, label: "opening word" },
  { pattern: /\b(?:i was wondering if you could|i would like you to|i'd like you to|i want you to|could you please|can you please|would you please|could you|can you|would you|please)\s+/gi, label: "polite filler" },
  { pattern: /\b(?:basically|actually|just|really|kind of|sort of)\s+/gi, label: "filler word" },
  { pattern: /\s*(?:thanks|thank you)(?: (?:so|very) much)?(?: in advance)?[.!]*\s*$/i, label: "sign-off" },
];

/** `[topic]`, `<topic>`, `{topic}`, `TOPIC_HERE`, `INSERT TOPIC` → `{{topic}}`. */
const PLACEHOLDERS: RegExp[] = [
  /\[(?!\[)([A-Za-z][A-Za-z0-9 _-]{1,30})\]/g,
  /<(?!\/?(?:br|p|div|span|code|task|environment_details)\b)([a-z][a-z0-9 _-]{1,30})>/gi,
  /(?<!\{)\{(?!\{)([A-Za-z][A-Za-z0-9 _-]{1,30})\}(?!\})/g,
  /\b(?:INSERT|YOUR|ENTER)[ _]([A-Z][A-Z _]{1,30}?)(?:[ _]HERE)?\b/g,
  /\b([A-Z]{3,}(?:_[A-Z]+)*)_HERE\b/g,
];

function detectIntent(text: string): Intent {
  for (const { intent, pattern } of INTENTS) if (pattern.test(text)) return intent;
  return "general";
}

function variableName(raw: string): string {
  const name = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[a-z_]/.test(name) ? name : `v_${name}`;
}

function capitalise(text: string): string {
  return text.replace(/^\s*([a-z])/, (_, c: string) => c.toUpperCase());
}

/** Sections already present ("## Output", "Context:") are kept, not duplicated. */
function hasSection(text: string, names: string[]): boolean {
  return names.some((n) => new RegExp(`^(?:#+\\s*${n}\\b|${n}\\s*:)`, "im").test(text));
}

export function optimizeOffline(original: string): Rewrite {
  const changes: Change[] = [];
  const intent = detectIntent(original);
  let text = original.replace(/\r\n?/g, "\n").trim();

  // Keep code and quoted material out of the clean-up: they are the user's input, not instructions.
  // Fenced blocks, inline `code` and "quoted text" (one line) all count: `arr[i]` is code, not a placeholder,
  // and "Could you please…" in a text to translate is not filler.
  const fences: string[] = [];
  text = text.replace(/```[\s\S]*?```|`[^`\n]+`|"[^"\n]+"|“[^”\n]+”/g, (block) => `\u0000${fences.push(block) - 1}\u0000`);

  const removed = new Set<string>();
  for (const { pattern, label } of FILLER_PATTERNS) {
    const next = text.replace(pattern, "");
    if (next !== text) removed.add(label);
    text = next;
  }
  text = capitalise(text.replace(/[ \t]{2,}/g, " ").trim());
  if (removed.size) changes.push({ change: `Removed ${[...removed].join(", ")}`, reason: "Filler words cost tokens and dilute the instruction without changing what you ask for." });

  const made: string[] = [];
  for (const pattern of PLACEHOLDERS) {
    text = text.replace(pattern, (_whole, raw: string) => {
      const name = variableName(raw);
      made.push(name);
      return `{{${name}}}`;
    });
  }
  if (made.length) {
    changes.push({ change: `Turned ${[...new Set(made)].map((n) => `{{${n}}}`).join(", ")} into explicit variables`, reason: "Explicit variables can be filled in a form each time, so the template is reused without editing it." });
  }
  text = text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => fences[Number(i)]!);

  const structured = /^#{1,6}\s+\S/m.test(text);
  const sections: string[] = [];
  const role = /\b(you are|act as|your role)\b/i.test(text);
  if (!role && !hasSection(text, ["role"])) {
    sections.push(`## Role\n${ROLES[intent]}`);
    changes.push({ change: "Added a role", reason: `A role sets the expertise and register of the answer; this reads as a ${intent === "general" ? "general" : intent} request.` });
  }

  // The task itself: the user's words, with an input slot when it refers to material it does not include.
  let task = text;
  const refersToInput = /\b(this|the following|below|attached|my|the)\s+(text|code|article|email|essay|data|document|paper|message|function|snippet|draft|paragraph)\b/i.test(task);
  const hasInput = /```|\{\{\s*[\w.-]+\s*\}\}|:\s*\n\S|\n\s*\n[\s\S]{40,}/.test(task);
  if (!structured) sections.push(`## Task\n${task}`);
  else sections.push(task);
  if (refersToInput && !hasInput && !detectVariables(task).includes("input")) {
    sections.push("## Input\n{{input}}");
    changes.push({ change: "Added an {{input}} slot", reason: "The prompt refers to material it does not contain; a slot makes sure it is always pasted in." });
  }

  const hasContext = /\b(audience|context|background|for (?:a|an|my|our) [a-z]+|so that|in order to|because|the goal)\b/i.test(task) || hasSection(task, ["context", "background"]);
  if (!hasContext) {
    sections.push(`## Context\n${CONTEXT_SLOTS[intent].map((line) => `- ${line}`).join("\n")}`);
    changes.push({ change: "Added a context section", reason: "Saying who the answer is for and what it is for is the single biggest lever on relevance." });
  }

  const hasFormat = /\b(json|yaml|csv|table|markdown|bullet|numbered|list|headings?|format|return|output|respond with|\d+ (?:words|sentences|bullets|items|paragraphs))\b/i.test(task) || hasSection(task, ["output", "format"]);
  if (!hasFormat) {
    sections.push(`## Output format\n${OUTPUT_FORMATS[intent].map((line) => `- ${line}`).join("\n")}`);
    changes.push({ change: "Specified the output format", reason: "Without a stated format the model guesses length and layout; a format makes answers consistent and easy to reuse." });
  }

  const hasConstraints = /\b(must|do not|don'?t|never|avoid|only|at most|no more than|under \d+|exactly)\b/i.test(task) || hasSection(task, ["constraints", "rules", "requirements"]);
  if (!hasConstraints) {
    sections.push(`## Constraints\n${[...CONSTRAINTS[intent], "If anything is ambiguous, state your assumption before answering."].map((line) => `- ${line}`).join("\n")}`);
    changes.push({ change: "Added constraints", reason: "Rules about what to keep and avoid prevent the most common failure modes for this kind of request." });
  }

  if (!/\b(for example|e\.g\.|example)\b/i.test(task) && !hasSection(task, ["examples?"])) {
    sections.push("## Example\n(Optional: paste an example of the answer you want here, or delete this section.)");
    changes.push({ change: "Added a slot for an example", reason: "One example of a good answer is often worth a paragraph of instructions." });
  }

  if (!structured && sections.length > 1) {
    changes.push({ change: "Organised the prompt into sections", reason: "Headings separate instructions from input and make long prompts easy for both people and models to scan." });
  }
  return { rewritten: sections.join("\n\n").trim(), changes, intent };
}
