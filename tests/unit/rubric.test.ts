import { describe, expect, it } from "vitest";
import { DIMENSIONS, scorePrompt, type Dimension } from "../../src/server/ai/rubric";

const score = (text: string) => scorePrompt(text).dimensions;

/** `with` scores higher than `without` on `dimension` (by at least `by`). */
function raises(dimension: Dimension, without: string, withFeature: string, by = 1) {
  const before = score(without)[dimension];
  const after = score(withFeature)[dimension];
  expect(after - before, `${dimension}: ${before} → ${after}\n  ${without}\n  ${withFeature}`).toBeGreaterThanOrEqual(by);
}

const BASE = "Write a product description of a running shoe.";

describe("the rubric", () => {
  it("scores every dimension 0–100, and the total is their rounded average", () => {
    for (const text of ["", "x", BASE, "please please please maybe stuff things etc whatever ".repeat(40), `# Role\nYou are an editor.\n\n${"- must do this exactly\n".repeat(30)}`]) {
      const result = scorePrompt(text);
      for (const d of DIMENSIONS) {
        expect(result.dimensions[d]).toBeGreaterThanOrEqual(0);
        expect(result.dimensions[d]).toBeLessThanOrEqual(100);
        expect(Number.isInteger(result.dimensions[d])).toBe(true);
      }
      // The dimensions that always say what they found or what is missing.
      for (const d of ["clarity", "context", "outputFormat", "constraints"] as const) expect(result.notes[d].length, `${d} explains itself`).toBeGreaterThan(0);
      expect(result.total).toBe(Math.round(DIMENSIONS.reduce((s, d) => s + result.dimensions[d], 0) / DIMENSIONS.length));
    }
  });

  it("is deterministic", () => {
    expect(scorePrompt(BASE)).toEqual(scorePrompt(BASE));
    expect(scorePrompt(BASE)).toMatchInlineSnapshot(`
      {
        "dimensions": {
          "clarity": 95,
          "constraints": 15,
          "context": 20,
          "outputFormat": 15,
          "specificity": 10,
          "structure": 45,
        },
        "notes": {
          "clarity": [
            "states the task as a direct instruction",
          ],
          "constraints": [
            "no limits or rules (length, tone, what to avoid)",
          ],
          "context": [
            "no role (e.g. “You are an experienced editor”)",
            "no audience, goal or background",
          ],
          "outputFormat": [
            "no output format (length, structure, file type)",
          ],
          "specificity": [
            "very little detail",
          ],
          "structure": [],
        },
        "total": 33,
      }
    `);
  });

  it("clarity: a direct instruction raises it; filler, vague words, run-on sentences and very short prompts lower it", () => {
    raises("clarity", "A product description of a running shoe.", BASE, 15);
    raises("clarity", "Could you please just write a product description of a running shoe?", BASE, 8);
    raises("clarity", "Write a nice product description of a running shoe, something good.", BASE, 10);
    raises("clarity", "Write.", BASE, 30);
    const runOn = `Write a product description of a running shoe ${"that is light and comfortable and durable and affordable and ".repeat(4)}works.`;
    raises("clarity", runOn, BASE, 10);
    expect(scorePrompt(runOn).notes.clarity.join(" ")).toMatch(/long sentences/);
    expect(scorePrompt("Could you please write it?").notes.clarity).toEqual(expect.arrayContaining(["2 filler words"]));
  });

  it("specificity: detail, numbers, names, {{variables}}, quoted material and examples raise it", () => {
    raises("specificity", "Write copy.", BASE, 5);
    raises("specificity", BASE, `${BASE} It weighs 210 grams and costs 129 euros.`, 14);
    raises("specificity", BASE, "Write a product description of {{product}} aimed at {{audience}}.", 10);
    raises("specificity", BASE, `${BASE} Mention the "Cloudfoam" sole.`, 5);
    raises("specificity", BASE, `${BASE} For example, mention the sole.`, 10);
    raises("specificity", BASE, "Write a product description of the Nimbus shoe from Asics, sold by Zalando.", 6);
    expect(scorePrompt("Write about {{topic}} for {{audience}}.").notes.specificity).toContain("2 explicit variables");
  });

  it("context: a role, the audience or goal, and a context section raise it", () => {
    expect(score(`You are an experienced copywriter. ${BASE}`).context - score(BASE).context).toBe(40);
    expect(score(`Act as a marketer. ${BASE}`).context - score(BASE).context).toBe(40);
    expect(score(`${BASE} The audience is trail runners.`).context - score(BASE).context).toBe(30);
    expect(score(`${BASE} The goal is more sign-ups.`).context - score(BASE).context).toBe(30);
    raises("context", `${BASE}\nThe audience is trail runners.`, `${BASE}\n\n## Context\nThe audience is trail runners.`, 10);
  });

  it("structure: headings, lists and paragraphs raise it for longer prompts", () => {
    const long = "Write a product description for our new running shoe. It is light and breathable, it has a carbon plate, it comes in four colours, and it is made for runners who train for their first marathon this year.";
    expect(score(long).structure).toBe(20);
    expect(scorePrompt(long).notes.structure).toEqual(["one block of text: split it into sections"]);
    raises("structure", long, long.replace(". It is", ".\n\nIt is"), 15);
    raises("structure", long, `${long}\n- light\n- breathable\n- carbon plate`, 15);
    raises("structure", long, `## Task\n${long}\n\n## Audience\nFirst-time marathon runners.`, 24);
    raises("structure", long, `${long}\n\n\`\`\`\nspec: 210 g\n\`\`\``, 5);
    // A one-line request needs little structure: it starts higher.
    expect(score(BASE).structure).toBeGreaterThan(score(long).structure);
  });

  it("output format: saying what the answer looks like raises it, more so with an output section", () => {
    raises("outputFormat", BASE, `${BASE} Return it as JSON.`, 45);
    raises("outputFormat", BASE, `${BASE} Use 3 bullet points.`, 45);
    raises("outputFormat", `${BASE} Use a table.`, `${BASE} Use a table in Markdown with 5 items.`, 10);
    raises("outputFormat", `${BASE}\nUse a table.`, `${BASE}\n\n## Output\nUse a table.`, 10);
  });

  it("constraints: rules, limits and what to do when unsure raise it, more so with a constraints section", () => {
    raises("constraints", BASE, `${BASE} Do not mention competitors.`, 14);
    raises("constraints", `${BASE} Do not mention competitors.`, `${BASE} Do not mention competitors. Keep it under 80 words. If unsure, ask.`, 28);
    raises("constraints", `${BASE}\nNever use jargon.`, `${BASE}\n\n## Constraints\nNever use jargon.`, 15);
    // The same rule said twice counts once.
    expect(score(`${BASE} Never a pun. Never a cliché.`).constraints).toBe(score(`${BASE} Never a pun.`).constraints);
  });

  it("a complete prompt scores far above a bare one", () => {
    const complete = [
      "## Role",
      "You are an experienced copywriter for sports brands.",
      "",
      "## Task",
      "Write a product description for {{product}}.",
      "",
      "## Context",
      "The audience is first-time marathon runners; the goal is to explain the carbon plate.",
      "",
      "## Output format",
      "- Markdown, 3 short paragraphs and a 5-item bullet list.",
      "",
      "## Constraints",
      "- Keep it under 150 words.",
      "- Do not mention competitors.",
      "- If unsure about a spec, say so.",
      "",
      "## Example",
      'For example: "Light enough to forget, fast enough to remember."',
    ].join("\n");
    expect(scorePrompt(complete).total).toBeGreaterThanOrEqual(85);
    expect(scorePrompt(complete).total - scorePrompt(BASE).total).toBeGreaterThanOrEqual(45);
  });
});
