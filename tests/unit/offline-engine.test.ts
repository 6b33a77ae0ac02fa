import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { detectVariables } from "../../src/lib/templates";
import { BuiltinEngine } from "../../src/server/ai/builtin-engine";
import { optimizeOffline, type Rewrite } from "../../src/server/ai/offline-engine";
import { scorePrompt } from "../../src/server/ai/rubric";
import { countTokens } from "../../src/server/ai/tokens";

type Golden = { id: string; kind: string; prompt: string; variables: string[]; fences: boolean };

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/optimize");
const golden: Golden[] = JSON.parse(readFileSync(path.join(FIXTURES, "golden.json"), "utf8")).prompts;

/** Code and quoted material the optimizer must pass through byte for byte. */
function untouchable(text: string): string[] {
  return text.replace(/\r\n?/g, "\n").match(/```[\s\S]*?```|`[^`\n]+`|"[^"\n]+"|“[^”\n]+”/g) ?? [];
}

/** The pinned form of a rewrite: readable in review, exact to the character. */
function render(g: Golden, r: Rewrite): string {
  const before = scorePrompt(g.prompt).total;
  const after = scorePrompt(r.rewritten).total;
  return [
    `<!-- golden prompt "${g.id}" (${g.kind}); detected intent: ${r.intent}; rubric ${before} → ${after} -->`,
    "# Input",
    "~~~~text",
    g.prompt,
    "~~~~",
    "",
    "# Rewritten",
    "~~~~text",
    r.rewritten,
    "~~~~",
    "",
    "# Changes",
    ...r.changes.map((c) => `- **${c.change}** — ${c.reason}`),
    "",
  ].join("\n");
}

describe("built-in optimizer on golden prompts", () => {
  it("has a varied set: every kind, placeholders of each style, fences, filler, very short and long", () => {
    expect(golden.length).toBeGreaterThanOrEqual(12);
    expect(new Set(golden.map((g) => g.id)).size).toBe(golden.length);
    for (const kind of ["coding", "writing", "analysis", "explain", "data", "creative", "general", "already-structured", "long"]) {
      expect(golden.some((g) => g.kind === kind), kind).toBe(true);
    }
    const all = golden.map((g) => g.prompt).join("\n");
    for (const style of [/\[[a-z ]+\]/, /<[a-z]+>/, /(?<!\{)\{[a-z ]+\}(?!\})/, /\{\{\w+\}\}/, /```/, /INSERT \w+ HERE/, /\b(please|basically|just)\b/i]) {
      expect(all, String(style)).toMatch(style);
    }
    expect(Math.min(...golden.map((g) => g.prompt.length))).toBeLessThan(20);
    expect(Math.max(...golden.map((g) => g.prompt.length))).toBeGreaterThan(1000);
  });

  for (const g of golden) {
    describe(g.id, () => {
      const result = optimizeOffline(g.prompt);

      it("rewrites exactly as pinned, the same on every run", async () => {
        expect(optimizeOffline(g.prompt)).toEqual(result);
        await expect(render(g, result)).toMatchFileSnapshot(path.join(FIXTURES, "__snapshots__", `${g.id}.md`));
      });

      it("scores higher on the rubric after than before", () => {
        expect(scorePrompt(result.rewritten).total).toBeGreaterThan(scorePrompt(g.prompt).total);
      });

      it("keeps every {{variable}} and makes the expected ones from placeholders", () => {
        const out = detectVariables(result.rewritten);
        for (const v of detectVariables(g.prompt)) expect(out, `{{${v}}} kept`).toContain(v);
        for (const v of g.variables) expect(out, `{{${v}}} present`).toContain(v);
        for (const v of detectVariables(g.prompt)) expect(result.rewritten).toContain(`{{${v}}}`);
      });

      it("passes code fences, inline code and quoted text through verbatim", () => {
        const kept = untouchable(g.prompt);
        if (g.fences) expect(kept.some((k) => k.startsWith("```")), "the fixture has a fenced block").toBe(true);
        for (const block of kept) expect(result.rewritten, block).toContain(block);
      });

      it("gives a reason for every change, and says nothing it did not do", () => {
        expect(result.changes.length).toBeGreaterThan(0);
        for (const c of result.changes) {
          expect(c.change.trim().length, JSON.stringify(c)).toBeGreaterThan(5);
          expect(c.reason.trim().length, JSON.stringify(c)).toBeGreaterThan(20);
          expect(c.reason.trim()).toMatch(/[.!]$/);
        }
        expect(new Set(result.changes.map((c) => c.change)).size).toBe(result.changes.length);
        // Each reported section addition is in the text.
        const sections: Record<string, string> = {
          "Added a role": "## Role",
          "Added a context section": "## Context",
          "Specified the output format": "## Output format",
          "Added constraints": "## Constraints",
          "Added a slot for an example": "## Example",
          "Added an {{input}} slot": "## Input\n{{input}}",
        };
        for (const c of result.changes) if (sections[c.change]) expect(result.rewritten).toContain(sections[c.change]);
        for (const [change, heading] of Object.entries(sections)) {
          if (!result.changes.some((c) => c.change === change)) expect(result.rewritten.split(heading).length - 1, `${heading} without "${change}"`).toBe(g.prompt.split(heading).length - 1);
        }
        const turned = result.changes.find((c) => c.change.startsWith("Turned "));
        for (const name of turned?.change.match(/\{\{(\w+)\}\}/g) ?? []) expect(result.rewritten).toContain(name);
        expect(result.rewritten).not.toContain("\u0000");
      });

      it("does not stack sections when run again on its own output", () => {
        const again = optimizeOffline(result.rewritten).rewritten;
        const headings = (again.match(/^## .+$/gm) ?? []).filter((h) => !g.prompt.includes(h));
        expect(new Set(headings).size, headings.join(", ")).toBe(headings.length);
      });
    });
  }
});

describe("built-in optimizer: edges", () => {
  it("leaves code, quoted text and {{variables}} alone even when they look like filler or placeholders", () => {
    const prompt = 'Explain why `items[index]` is undefined and translate "Could you please just check <name>?" for {{audience}}.';
    const { rewritten, changes } = optimizeOffline(prompt);
    expect(rewritten).toContain("`items[index]`");
    expect(rewritten).toContain('"Could you please just check <name>?"');
    expect(rewritten).toContain("{{audience}}");
    expect(detectVariables(rewritten)).not.toContain("index");
    expect(detectVariables(rewritten)).not.toContain("name");
    expect(changes.map((c) => c.change)).not.toContain(expect.stringMatching(/^Removed|^Turned/));
  });

  it("turns each placeholder style into a {{variable}}", () => {
    const { rewritten, changes } = optimizeOffline("Write a haiku about [season] for <reader name> in {language}, signed INSERT AUTHOR HERE and dated YOUR_DATE.");
    expect(detectVariables(rewritten)).toEqual(expect.arrayContaining(["season", "reader_name", "language", "author", "date"]));
    expect(changes.find((c) => c.change.startsWith("Turned"))!.reason).toContain("reused");
  });

  it("normalises Windows line endings, and an empty prompt does not crash", () => {
    expect(optimizeOffline("Write a poem.\r\nAbout the sea.").rewritten).toBe(optimizeOffline("Write a poem.\nAbout the sea.").rewritten);
    expect(() => optimizeOffline("")).not.toThrow();
  });

  it("the engine wraps it: builtin provider and model, counted tokens, nothing from a provider", async () => {
    const prompt = golden[0]!.prompt;
    const result = await new BuiltinEngine().optimize(prompt);
    const direct = optimizeOffline(prompt);
    expect(result).toEqual({
      rewritten: direct.rewritten,
      changes: direct.changes,
      provider: "builtin",
      model: "promptvault-builtin-1",
      usage: { inputTokens: countTokens(prompt, "gpt-4o").tokens, outputTokens: countTokens(direct.rewritten, "gpt-4o").tokens, cachedTokens: 0, fromProvider: false },
    });
    expect(result.judged).toBeUndefined();
  });
});
