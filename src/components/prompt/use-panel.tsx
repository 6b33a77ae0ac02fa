"use client";

import { useMemo, useState } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { Input, Select, Textarea } from "@/components/ui/field";
import { renderTemplate, tokenizeTemplate, type TemplateParameter } from "@/lib/templates";

/** Fill the variables, see the final prompt, copy it. Values are checked against the parameter schema. */
export function UsePanel({ body, variables }: { body: string; variables: TemplateParameter[] }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const result = useMemo(() => renderTemplate(body, variables, values), [body, variables, values]);
  const problems = result.ok ? new Map<string, string>() : new Map(result.problems.map((p) => [p.name, p.message]));
  const [touched, setTouched] = useState(false);

  return (
    <div className="space-y-4">
      {variables.length === 0 ? (
        <p className="text-sm text-slate-500">This prompt has no variables. Add {"{{name}}"} placeholders to make it a template.</p>
      ) : (
        <form className="space-y-3" onSubmit={(e) => e.preventDefault()} aria-label="Template variables" onBlur={() => setTouched(true)}>
          {variables.map((v) => {
            const id = `var-${v.name}`;
            const value = values[v.name] ?? "";
            const onChange = (next: string) => setValues((current) => ({ ...current, [v.name]: next }));
            return (
              <div key={v.name} className="space-y-1">
                <label htmlFor={id} className="flex items-baseline justify-between text-sm font-medium text-slate-700">
                  <span>
                    {v.name}
                    {v.required && <span className="text-red-500"> *</span>}
                  </span>
                  <span className="text-xs font-normal text-slate-400">{v.type}</span>
                </label>
                {v.type === "enum" ? (
                  <Select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
                    <option value="">{v.default ? `Default: ${v.default}` : "Choose…"}</option>
                    {(v.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </Select>
                ) : v.type === "number" ? (
                  <Input id={id} type="number" value={value} onChange={(e) => onChange(e.target.value)} placeholder={v.default} />
                ) : (
                  <Textarea id={id} rows={value.length > 60 ? 4 : 1} value={value} onChange={(e) => onChange(e.target.value)} placeholder={v.default ?? v.description} />
                )}
                {v.description && <p className="text-xs text-slate-500">{v.description}</p>}
                {touched && problems.get(v.name) && <p className="text-xs text-red-600">{problems.get(v.name)}</p>}
              </div>
            );
          })}
        </form>
      )}
      <div>
        <div className="mb-1.5 flex items-center justify-between">
          <h3 className="text-sm font-medium text-slate-700">Final prompt</h3>
          {result.ok ? (
            <CopyButton text={result.text} label="Copy prompt" size="sm" variant="primary" />
          ) : (
            <span className="text-xs text-slate-500">Fill the required fields to copy</span>
          )}
        </div>
        <pre data-testid="rendered-prompt" className="max-h-96 overflow-auto whitespace-pre-wrap rounded-md bg-slate-50 p-3 font-mono text-[13px] leading-6 text-slate-800">
          {result.ok
            ? result.text
            : tokenizeTemplate(body).map((token, i) => {
                if (!token.variable) return <span key={i}>{token.text}</span>;
                const value = values[token.variable] || variables.find((v) => v.name === token.variable)?.default;
                return value ? (
                  <mark key={i} className="rounded bg-emerald-50 text-emerald-900">
                    {value}
                  </mark>
                ) : (
                  <mark key={i} className="rounded bg-amber-100 text-amber-900">
                    {token.text}
                  </mark>
                );
              })}
        </pre>
      </div>
    </div>
  );
}
