import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "How prompt scores work" };

const DIMENSIONS = [
  ["Clarity", "A direct instruction (starting with a verb such as “Write” or “Explain”), sentences of reasonable length, little filler (“please”, “just”, “basically”) or vague wording (“stuff”, “things”, “good”)."],
  ["Specificity", "Enough detail: concrete numbers, named things, quoted examples, explicit {{variables}}, and examples of what is wanted."],
  ["Context", "A role for the model (“You are an experienced editor”), and who the answer is for, what it is for, or the background."],
  ["Structure", "For anything longer than a sentence or two: sections, lists and paragraphs that separate instructions from input."],
  ["Output format", "What the answer should look like: its length, layout (list, table, JSON, code block) or file type."],
  ["Constraints", "Rules and limits: what to keep, what to avoid, tone, length, and what to do when something is ambiguous."],
];

/** Public explanation of the rubric (linked from every optimization result). */
export default function ScoringPage() {
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-12">
      <Link href="/" className="text-lg font-semibold tracking-tight">
        Prompt<span className="text-brand-600">Vault</span>
      </Link>
      <h1 className="text-2xl font-semibold">How prompt scores work</h1>
      <p className="text-slate-600">
        Every optimization shows a score before and after. Both come from the same deterministic rubric — the same text always gets the same score, whichever engine did the
        rewriting — so the two numbers are comparable. Each dimension is scored from 0 to 100 by checks on the text; the total is their average.
      </p>
      <dl className="space-y-4">
        {DIMENSIONS.map(([name, text]) => (
          <div key={name}>
            <dt className="font-medium">{name}</dt>
            <dd className="text-sm text-slate-600">{text}</dd>
          </div>
        ))}
      </dl>
      <p className="text-slate-600">
        When an AI model does the rewriting, it also gives its own 0–100 judgement of both versions. That judged score is shown separately and never mixed into the rubric
        score. A higher score is a sign, not a guarantee: always read the rewrite before accepting it.
      </p>
    </main>
  );
}
