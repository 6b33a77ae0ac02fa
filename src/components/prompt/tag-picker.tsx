"use client";

import { useState, type KeyboardEvent } from "react";
import { TagChip } from "@/components/ui/tag-chip";
import { inputClass } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import type { Tag } from "@/lib/types";

/** Pick existing tags by typing; Enter on a new name creates the tag. */
export function TagPicker({ tags, selected, onChange, onTagCreated, disabled }: { tags: Tag[]; selected: string[]; onChange: (ids: string[]) => void; onTagCreated: (tag: Tag) => void; disabled?: boolean }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const chosen = selected.map((id) => tags.find((t) => t.id === id)).filter((t): t is Tag => Boolean(t));
  const needle = text.trim().toLowerCase();
  const suggestions = needle ? tags.filter((t) => !selected.includes(t.id) && t.name.toLowerCase().includes(needle)).slice(0, 6) : [];
  const exact = tags.find((t) => t.name.toLowerCase() === needle);

  async function addByName() {
    if (!needle) return;
    setError(null);
    try {
      let tag = exact;
      if (!tag) {
        tag = await api<Tag>("/api/tags", { body: { name: text.trim() } });
        onTagCreated(tag);
      }
      if (!selected.includes(tag.id)) onChange([...selected, tag.id]);
      setText("");
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Could not add the tag.");
    }
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "Enter") {
      e.preventDefault();
      void addByName();
    } else if (e.key === "Backspace" && !text && selected.length > 0) {
      onChange(selected.slice(0, -1));
    }
  }

  return (
    <div className="space-y-1">
      <label htmlFor="tag-input" className="block text-sm font-medium text-slate-700">
        Tags
      </label>
      <div className={`${inputClass} flex min-h-9 flex-wrap items-center gap-1.5 py-1`}>
        {chosen.map((tag) => (
          <TagChip key={tag.id} name={tag.name} color={tag.color} onRemove={disabled ? undefined : () => onChange(selected.filter((id) => id !== tag.id))} />
        ))}
        <input
          id="tag-input"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKey}
          disabled={disabled}
          placeholder={chosen.length ? "" : "Add a tag and press Enter"}
          className="min-w-32 flex-1 bg-transparent text-sm outline-none"
          maxLength={50}
        />
      </div>
      {suggestions.length > 0 && (
        <div className="flex flex-wrap gap-1.5">
          {suggestions.map((tag) => (
            <button key={tag.id} type="button" onClick={() => { onChange([...selected, tag.id]); setText(""); }} className="rounded-full">
              <TagChip name={tag.name} color={tag.color} />
            </button>
          ))}
        </div>
      )}
      {error && <p className="text-xs text-red-600">{error}</p>}
    </div>
  );
}
