import { describe, expect, it } from "vitest";
import { VARIABLE_NAME, detectVariables, effectiveParameters, renderTemplate, tokenizeTemplate, type TemplateParameter } from "../../src/lib/templates";

describe("detectVariables", () => {
  it("lists names in order of first appearance, without duplicates", () => {
    expect(detectVariables("{{b}} then {{a}} then {{b}} and {{ c }} and {{a}}")).toEqual(["b", "a", "c"]);
  });

  it("accepts letters, digits, _ . - after a letter or underscore, and inner whitespace", () => {
    expect(detectVariables("{{_x}} {{user.name}} {{first-name}} {{v2}} {{\tspaced  }}")).toEqual(["_x", "user.name", "first-name", "v2", "spaced"]);
  });

  it("ignores things that are not variables", () => {
    expect(detectVariables("{{1x}} {{}} {{ }} {x} {{a b}} {{-a}} {{.a}} {{a!}} {{ {{ok}}")).toEqual(["ok"]);
    expect(detectVariables("plain text")).toEqual([]);
    expect(detectVariables("")).toEqual([]);
    // Names are at most 64 characters.
    expect(detectVariables(`{{${"a".repeat(64)}}}`)).toEqual(["a".repeat(64)]);
    expect(detectVariables(`{{${"a".repeat(65)}}}`)).toEqual([]);
  });

  it("skips escaped variables but still finds unescaped uses of the same name", () => {
    expect(detectVariables("\\{{x}} literal")).toEqual([]);
    expect(detectVariables("\\{{x}} then {{x}}")).toEqual(["x"]);
    expect(detectVariables("\\{{x}} {{y}}")).toEqual(["y"]);
  });

  it("is case-sensitive", () => {
    expect(detectVariables("{{Name}} {{name}}")).toEqual(["Name", "name"]);
  });

  it("agrees with the parameter-name rule", () => {
    for (const name of ["a", "_", "A.b-c_9"]) expect(VARIABLE_NAME.test(name)).toBe(true);
    for (const name of ["1a", "-a", "a b", "", "a".repeat(65)]) expect(VARIABLE_NAME.test(name)).toBe(false);
  });
});

describe("effectiveParameters", () => {
  it("uses the declared parameter where there is one and a required text field otherwise, in body order", () => {
    const declared: TemplateParameter[] = [
      { name: "tone", type: "enum", required: false, options: ["warm", "dry"], default: "warm" },
      { name: "unused", type: "text", required: true },
    ];
    expect(effectiveParameters("{{topic}} in a {{tone}} tone", declared)).toEqual([
      { name: "topic", type: "text", required: true },
      declared[0],
    ]);
  });
});

describe("renderTemplate", () => {
  const params: TemplateParameter[] = [
    { name: "count", type: "number", required: true },
    { name: "style", type: "enum", required: false, options: ["bullets", "prose"], default: "bullets" },
    { name: "note", type: "text", required: false },
    { name: "lang", type: "text", required: true, default: "English" },
  ];
  const body = "Summarise {{doc}} in {{count}} {{style}}, in {{lang}}.{{note}}";

  it("fills every occurrence, applies defaults and ignores unknown values", () => {
    expect(renderTemplate("{{a}}-{{a}}-{{ a }}", [], { a: "x", extra: "y" })).toEqual({ ok: true, text: "x-x-x" });
    expect(renderTemplate(body, params, { doc: "the memo", count: 3 })).toEqual({ ok: true, text: "Summarise the memo in 3 bullets, in English." });
    expect(renderTemplate(body, params, { doc: "it", count: "2.5", style: "prose", lang: "French", note: " Thanks!" })).toEqual({
      ok: true,
      text: "Summarise it in 2.5 prose, in French. Thanks!",
    });
    // An empty value falls back on the default.
    expect(renderTemplate(body, params, { doc: "it", count: 1, style: "", lang: "" })).toEqual({ ok: true, text: "Summarise it in 1 bullets, in English." });
  });

  it("keeps escaped variables as literal braces", () => {
    expect(renderTemplate("Use \\{{name}} for {{name}}", [], { name: "Ada" })).toEqual({ ok: true, text: "Use {{name}} for Ada" });
    expect(renderTemplate("\\{{ only }}", [], {})).toEqual({ ok: true, text: "{{ only }}" });
  });

  it("does not re-expand values that look like variables", () => {
    expect(renderTemplate("{{a}} {{b}}", [], { a: "{{b}}", b: "$& $1" })).toEqual({ ok: true, text: "{{b}} $& $1" });
  });

  it("reports every missing required value, without a default", () => {
    expect(renderTemplate(body, params, {})).toEqual({
      ok: false,
      problems: [
        { name: "doc", message: "doc is required." },
        { name: "count", message: "count is required." },
      ],
    });
    expect(renderTemplate("{{a}}", [], { a: "" })).toMatchObject({ ok: false });
    expect(renderTemplate("{{a}}", [], { a: undefined })).toMatchObject({ ok: false });
  });

  it("validates numbers", () => {
    for (const count of ["many", "1e", "NaN", "Infinity"]) {
      expect(renderTemplate(body, params, { doc: "d", count })).toEqual({ ok: false, problems: [{ name: "count", message: "count must be a number." }] });
    }
    for (const count of ["0", "-4", "1e3", " 7 ", 12]) expect(renderTemplate(body, params, { doc: "d", count }).ok).toBe(true);
  });

  it("validates enum values against the options, case-sensitively", () => {
    expect(renderTemplate(body, params, { doc: "d", count: 1, style: "Prose" })).toEqual({
      ok: false,
      problems: [{ name: "style", message: "style must be one of: bullets, prose." }],
    });
    expect(renderTemplate("{{e}}", [{ name: "e", type: "enum", required: true }], { e: "x" })).toMatchObject({ ok: false });
  });

  it("leaves an optional value without a default empty", () => {
    expect(renderTemplate("[{{opt}}]", [{ name: "opt", type: "text", required: false }], {})).toEqual({ ok: true, text: "[]" });
  });
});

describe("tokenizeTemplate", () => {
  it("splits text and variables, and joins back to the body", () => {
    const body = "Hi {{name}}, meet {{ other }}!";
    const tokens = tokenizeTemplate(body);
    expect(tokens).toEqual([{ text: "Hi " }, { text: "{{name}}", variable: "name" }, { text: ", meet " }, { text: "{{ other }}", variable: "other" }, { text: "!" }]);
    expect(tokens.map((t) => t.text).join("")).toBe(body);
  });

  it("keeps escaped variables as plain text", () => {
    const body = "\\{{x}} and {{y}}";
    const tokens = tokenizeTemplate(body);
    expect(tokens.filter((t) => t.variable).map((t) => t.variable)).toEqual(["y"]);
    expect(tokens.map((t) => t.text).join("")).toBe(body);
  });

  it("handles adjacent variables, a body that is only a variable, and empty input", () => {
    expect(tokenizeTemplate("{{a}}{{b}}")).toEqual([{ text: "{{a}}", variable: "a" }, { text: "{{b}}", variable: "b" }]);
    expect(tokenizeTemplate("{{a}}")).toEqual([{ text: "{{a}}", variable: "a" }]);
    expect(tokenizeTemplate("")).toEqual([]);
    expect(tokenizeTemplate("no vars")).toEqual([{ text: "no vars" }]);
  });
});
