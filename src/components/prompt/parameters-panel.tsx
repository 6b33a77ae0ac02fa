"use client";

import { Input, Select } from "@/components/ui/field";
import type { TemplateParameter } from "@/lib/templates";

/** Typed parameters for the body's variables: type, required, default, enum options. Saved with the prompt. */
export function ParametersPanel({ variables, declared, onChange, disabled }: { variables: TemplateParameter[]; declared: TemplateParameter[]; onChange: (params: TemplateParameter[]) => void; disabled?: boolean }) {
  if (variables.length === 0) return <p className="text-sm text-slate-500">No {"{{variables}}"} in this prompt yet.</p>;

  function update(name: string, patch: Partial<TemplateParameter>) {
    const current = variables.find((v) => v.name === name)!;
    const next = { ...current, ...patch };
    if (next.type !== "enum") delete next.options;
    const others = declared.filter((p) => p.name !== name && variables.some((v) => v.name === p.name));
    onChange([...others, next]);
  }

  return (
    <div className="space-y-4">
      <p className="text-xs text-slate-500">Parameters are checked when the prompt is rendered here or through the API. Changes are saved with the prompt as a new version.</p>
      {variables.map((v) => (
        <fieldset key={v.name} className="space-y-2 rounded-lg border border-slate-200 p-3" disabled={disabled}>
          <legend className="px-1 font-mono text-sm text-brand-700">{v.name}</legend>
          <div className="grid grid-cols-2 gap-2">
            <Select aria-label={`${v.name} type`} value={v.type} onChange={(e) => update(v.name, { type: e.target.value as TemplateParameter["type"], default: undefined })}>
              <option value="text">Text</option>
              <option value="number">Number</option>
              <option value="enum">One of…</option>
            </Select>
            <label className="flex items-center gap-2 text-sm text-slate-700">
              <input type="checkbox" checked={v.required} onChange={(e) => update(v.name, { required: e.target.checked })} /> Required
            </label>
          </div>
          {v.type === "enum" && (
            <Input
              aria-label={`${v.name} options`}
              placeholder="Options, separated by commas"
              defaultValue={(v.options ?? []).join(", ")}
              onBlur={(e) => update(v.name, { options: e.target.value.split(",").map((s) => s.trim()).filter(Boolean) })}
            />
          )}
          <Input aria-label={`${v.name} default`} placeholder="Default value (optional)" value={v.default ?? ""} onChange={(e) => update(v.name, { default: e.target.value || undefined })} />
          <Input aria-label={`${v.name} description`} placeholder="Help text (optional)" value={v.description ?? ""} onChange={(e) => update(v.name, { description: e.target.value || undefined })} maxLength={200} />
        </fieldset>
      ))}
    </div>
  );
}
