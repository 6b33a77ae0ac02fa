/**
 * The prompt-quality rubric: six dimensions scored 0–100 by deterministic text checks, and their average as
 * the total. The same scorer rates the original and the rewritten prompt, so before/after are comparable
 * whichever engine rewrote it. Each dimension explains what it found, so a score is never a black box.
 * (docs/AI.md describes the checks.)
 */
export const DIMENSIONS = ["clarity", "specificity", "context", "structure", "outputFormat", "constraints"] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const DIMENSION_LABELS: Record<Dimension, string> = {
  clarity: "Clarity",
  specificity: "Specificity",
  context: "Context",
  structure: "Structure",
  outputFormat: "Output format",
  constraints: "Constraints",
};

export type RubricScore = {
  total: number;
  dimensions: Record<Dimension, number>;
  notes: Record<Dimension, string[]>;
};

const FILLER = /\b(please|kindly|just|basically|actually|really|very|maybe|perhaps|i was wondering|could you possibly|if you don'?t mind|i want you to|can you|could you|would you)\b/gi;
const VAGUE = /\b(stuff|things?|something|somehow|etc\.?|whatever|some kind of|good|nice|better|interesting)\b/gi;
const IMPERATIVE = /^(?:\W*)(write|create|explain|summari[sz]e|list|generate|draft|review|analy[sz]e|compare|translate|rewrite|refactor|fix|find|give|describe|design|plan|build|convert|classify|extract|outline|answer|help|make|suggest|improve|evaluate|identify|debug|optimi[sz]e|implement|calculate|check|edit|format|propose)\b/im;
const ROLE = /\b(you are|act as|as an? [a-z]+ (expert|engineer|writer|editor|analyst|teacher|assistant|consultant|scientist|developer|marketer|lawyer|designer)|your role)\b/i;
const CONTEXT = /\b(context|background|audience|for (?:a|an|my|our|the) [a-z]+|the goal|goal is|in order to|so that|because|purpose|we are|i am|i'm|my team|our company|use case)\b/i;
const FORMAT = /\b(json|yaml|csv|table|markdown|bullet(?:ed)? (?:points?|list)|numbered list|list of|headings?|sections?|paragraphs?|code block|format|return (?:only|just)?|output|respond with|structure(?:d)? as|step[- ]by[- ]step|one sentence|\d+ (?:words|sentences|bullets|items|paragraphs|lines))\b/i;
const CONSTRAINT = /\b(must|must not|do not|don'?t|never|avoid|only|at most|at least|no more than|under \d+|limit|within|exactly|keep it|tone|style|length|assume|if (?:unsure|ambiguous|unclear))\b/gi;
const EXAMPLE = /\b(for example|e\.g\.|example:|examples?:|such as|like this)\b/i;

function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}'’-]+/gu) ?? [];
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => words(s).length > 0);
}

const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

export function scorePrompt(text: string): RubricScore {
  const body = text.trim();
  const allWords = words(body);
  const wordCount = allWords.length;
  const lines = body.split("\n");
  const notes: Record<Dimension, string[]> = { clarity: [], specificity: [], context: [], structure: [], outputFormat: [], constraints: [] };

  // Clarity: a direct instruction, sentences of reasonable length, little filler or vague wording.
  let clarity = 70;
  if (IMPERATIVE.test(body) || /^#+\s*task/im.test(body)) {
    clarity += 15;
    notes.clarity.push("states the task as a direct instruction");
  } else notes.clarity.push("no direct instruction (start with a verb such as “Write”, “Explain”)");
  const sentenceList = sentences(body);
  const avg = sentenceList.length ? wordCount / sentenceList.length : wordCount;
  if (avg > 30) {
    clarity -= Math.min(25, (avg - 30) * 1.5);
    notes.clarity.push(`long sentences (${Math.round(avg)} words on average)`);
  } else if (wordCount > 0) clarity += 10;
  const filler = body.match(FILLER)?.length ?? 0;
  const vague = body.match(VAGUE)?.length ?? 0;
  if (filler) notes.clarity.push(`${filler} filler word${filler > 1 ? "s" : ""}`);
  if (vague) notes.clarity.push(`${vague} vague word${vague > 1 ? "s" : ""}`);
  clarity -= filler * 4 + vague * 5;
  if (wordCount < 4) {
    clarity -= 30;
    notes.clarity.push("too short to be unambiguous");
  }

  // Specificity: enough detail, concrete values, named things, explicit inputs.
  let specificity = Math.min(45, wordCount * 1.2);
  const numbers = body.match(/\b\d+(?:[.,]\d+)?\b/g)?.length ?? 0;
  const named = body.match(/(?<![.!?]\s|^)\b[A-Z][a-zA-Z0-9]+\b/gm)?.length ?? 0;
  const variables = body.match(/\{\{\s*[A-Za-z_][\w.-]*\s*\}\}/g)?.length ?? 0;
  const quoted = body.match(/["“][^"”]{3,}["”]|`[^`]+`/g)?.length ?? 0;
  specificity += Math.min(20, numbers * 7) + Math.min(15, named * 3) + Math.min(15, variables * 5) + Math.min(10, quoted * 5);
  if (numbers) notes.specificity.push("gives concrete numbers");
  if (variables) notes.specificity.push(`${variables} explicit variable${variables > 1 ? "s" : ""}`);
  if (wordCount < 12) notes.specificity.push("very little detail");
  if (EXAMPLE.test(body)) {
    specificity += 10;
    notes.specificity.push("includes or asks for examples");
  }

  // Context: who the model should be, for whom, and why.
  let context = 20;
  if (ROLE.test(body)) {
    context += 40;
    notes.context.push("assigns a role");
  } else notes.context.push("no role (e.g. “You are an experienced editor”)");
  if (CONTEXT.test(body)) {
    context += 30;
    notes.context.push("explains audience, goal or background");
  } else notes.context.push("no audience, goal or background");
  if (/^#+\s*(context|background|input)/im.test(body)) context += 10;

  // Structure: sections, lists and paragraphs, weighted by length (a one-line request needs little).
  const headings = lines.filter((l) => /^#{1,6}\s+\S/.test(l) || /^[A-Z][A-Za-z ]{2,30}:\s*$/.test(l.trim())).length;
  const listItems = lines.filter((l) => /^\s*(?:[-*•]|\d+[.)])\s+\S/.test(l)).length;
  const paragraphs = body.split(/\n\s*\n/).filter((p) => p.trim()).length;
  let structure = wordCount < 25 ? 45 : 20;
  structure += Math.min(40, headings * 12) + Math.min(20, listItems * 5) + (paragraphs > 1 ? 15 : 0) + (/```/.test(body) ? 5 : 0);
  if (headings) notes.structure.push(`${headings} section${headings > 1 ? "s" : ""}`);
  if (listItems) notes.structure.push(`${listItems} list item${listItems > 1 ? "s" : ""}`);
  if (!headings && !listItems && wordCount >= 25) notes.structure.push("one block of text: split it into sections");

  // Output format: what the answer should look like.
  let outputFormat = 15;
  const formatHits = body.match(new RegExp(FORMAT.source, "gi"))?.length ?? 0;
  if (formatHits) {
    outputFormat += 45 + Math.min(30, (formatHits - 1) * 10);
    notes.outputFormat.push("says what the answer should look like");
  } else notes.outputFormat.push("no output format (length, structure, file type)");
  if (/^#+\s*(output|format|response)/im.test(body)) outputFormat += 10;

  // Constraints: limits, rules, tone, what to avoid, what to do when unsure.
  const constraintHits = new Set((body.match(CONSTRAINT) ?? []).map((m) => m.toLowerCase())).size;
  let constraints = 15 + Math.min(70, constraintHits * 14);
  if (constraintHits) notes.constraints.push(`${constraintHits} rule${constraintHits > 1 ? "s" : ""} or limit${constraintHits > 1 ? "s" : ""}`);
  else notes.constraints.push("no limits or rules (length, tone, what to avoid)");
  if (/^#+\s*(constraints|rules|requirements)/im.test(body)) constraints += 15;

  const dimensions: Record<Dimension, number> = {
    clarity: clamp(clarity),
    specificity: clamp(specificity),
    context: clamp(context),
    structure: clamp(structure),
    outputFormat: clamp(outputFormat),
    constraints: clamp(constraints),
  };
  const total = clamp(DIMENSIONS.reduce((sum, d) => sum + dimensions[d], 0) / DIMENSIONS.length);
  return { total, dimensions, notes };
}
