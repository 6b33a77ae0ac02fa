/**
 * `{{variable}}` templates: detection and rendering. Pure and shared by the server (API render, validation)
 * and the browser (live "Use" form).
 *
 * Syntax: `{{ name }}` where name starts with a letter or underscore and may contain letters, digits, `_`,
 * `-` and `.`. Write `\{{` to keep literal braces.
 */
export type ParameterType = "text" | "number" | "enum";

export type TemplateParameter = {
  name: string;
  type: ParameterType;
  description?: string;
  required: boolean;
  default?: string;
  options?: string[];
};

const VARIABLE = /(\\?)\{\{\s*([A-Za-z_][A-Za-z0-9_.-]{0,63})\s*\}\}/g;
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Variable names in order of first appearance, without duplicates. */
export function detectVariables(body: string): string[] {
  const seen = new Set<string>();
  for (const match of body.matchAll(VARIABLE)) {
    if (match[1]) continue;
    seen.add(match[2]!);
  }
  return [...seen];
}

/** The parameters a body uses: the declared schema where present, a required text field otherwise. */
export function effectiveParameters(body: string, declared: readonly TemplateParameter[]): TemplateParameter[] {
  const byName = new Map(declared.map((p) => [p.name, p]));
  return detectVariables(body).map((name) => byName.get(name) ?? { name, type: "text", required: true });
}

export type RenderProblem = { name: string; message: string };
export type RenderResult = { ok: true; text: string } | { ok: false; problems: RenderProblem[] };

/** Fills the variables after checking each value against its parameter. Unused values are ignored. */
export function renderTemplate(body: string, declared: readonly TemplateParameter[], values: Record<string, string | number | undefined>): RenderResult {
  const problems: RenderProblem[] = [];
  const resolved = new Map<string, string>();
  for (const param of effectiveParameters(body, declared)) {
    const raw = values[param.name];
    let value = raw === undefined || raw === null ? "" : String(raw);
    if (value === "" && param.default !== undefined) value = param.default;
    if (value === "") {
      if (param.required) problems.push({ name: param.name, message: `${param.name} is required.` });
      resolved.set(param.name, "");
      continue;
    }
    if (param.type === "number" && !Number.isFinite(Number(value))) {
      problems.push({ name: param.name, message: `${param.name} must be a number.` });
    }
    if (param.type === "enum" && !(param.options ?? []).includes(value)) {
      problems.push({ name: param.name, message: `${param.name} must be one of: ${(param.options ?? []).join(", ")}.` });
    }
    resolved.set(param.name, value);
  }
  if (problems.length > 0) return { ok: false, problems };
  const text = body.replace(VARIABLE, (whole, escape: string, name: string) => (escape ? whole.slice(1) : (resolved.get(name) ?? whole)));
  return { ok: true, text };
}

/** Splits a body into plain text and variable tokens, for highlighting. */
export function tokenizeTemplate(body: string): { text: string; variable?: string }[] {
  const parts: { text: string; variable?: string }[] = [];
  let last = 0;
  for (const match of body.matchAll(VARIABLE)) {
    if (match[1]) continue;
    if (match.index > last) parts.push({ text: body.slice(last, match.index) });
    parts.push({ text: match[0], variable: match[2] });
    last = match.index + match[0].length;
  }
  if (last < body.length) parts.push({ text: body.slice(last) });
  return parts;
}
