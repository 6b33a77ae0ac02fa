"use client";

import { Folder as FolderIcon, FolderOpen, Inbox, Library, Pencil, Plus, Sparkles, Star, Trash2 } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { Input } from "@/components/ui/field";
import { api, ApiError } from "@/lib/api";
import type { Folder, Tag } from "@/lib/types";
import type { LibraryFilters } from "./use-library-query";

export const TAG_PALETTE = ["#64748b", "#ef4444", "#f97316", "#eab308", "#22c55e", "#14b8a6", "#3b82f6", "#8b5cf6", "#ec4899"];

type Props = {
  folders: Folder[];
  tags: Tag[];
  filters: LibraryFilters;
  onFilter: (patch: Partial<LibraryFilters>) => void;
  onFoldersChange: (folders: Folder[]) => void;
  onTagsChange: (tags: Tag[]) => void;
  onMetadataDeleted: () => void;
  onAutoTagged: () => void;
};

export function LibrarySidebar({ folders, tags, filters, onFilter, onFoldersChange, onTagsChange, onMetadataDeleted, onAutoTagged }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const none = { folderId: undefined, tagId: undefined, favorite: undefined, importId: undefined };

  async function run(action: () => Promise<void>) {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : "Something went wrong.");
    }
  }

  const reloadFolders = async () => onFoldersChange((await api<{ folders: Folder[] }>("/api/folders")).folders);
  const reloadTags = async () => onTagsChange((await api<{ tags: Tag[] }>("/api/tags")).tags);

  return (
    <aside className="hidden w-60 shrink-0 space-y-6 md:block" aria-label="Library filters">
      <nav className="space-y-0.5">
        <Item icon={<Library className="h-4 w-4" />} active={!filters.folderId && !filters.tagId && !filters.favorite} onClick={() => onFilter(none)}>
          All prompts
        </Item>
        <Item icon={<Star className="h-4 w-4" />} active={Boolean(filters.favorite)} onClick={() => onFilter({ ...none, favorite: true })}>
          Favourites
        </Item>
        <Item icon={<Inbox className="h-4 w-4" />} active={filters.folderId === "none"} onClick={() => onFilter({ ...none, folderId: "none" })}>
          Unfiled
        </Item>
      </nav>

      {error && <p className="text-xs text-red-600">{error}</p>}

      <Section
        title="Folders"
        addLabel="New folder"
        onAdd={(name) =>
          run(async () => {
            await api("/api/folders", { body: { name } });
            await reloadFolders();
          })
        }
      >
        {folders.length === 0 && <p className="px-2 text-xs text-slate-400">No folders yet.</p>}
        {folders.map((folder) => (
          <EditableItem
            key={folder.id}
            name={folder.name}
            count={folder.promptCount}
            icon={filters.folderId === folder.id ? <FolderOpen className="h-4 w-4" /> : <FolderIcon className="h-4 w-4" />}
            active={filters.folderId === folder.id}
            onClick={() => onFilter({ ...none, folderId: folder.id })}
            onRename={(name) =>
              run(async () => {
                await api(`/api/folders/${folder.id}`, { method: "PATCH", body: { name } });
                await reloadFolders();
              })
            }
            onDelete={() =>
              run(async () => {
                if (!confirm(`Delete the folder "${folder.name}"? Its prompts stay in your library, unfiled.`)) return;
                await api(`/api/folders/${folder.id}`, { method: "DELETE" });
                await reloadFolders();
                if (filters.folderId === folder.id) onMetadataDeleted();
              })
            }
          />
        ))}
      </Section>

      <Section
        title="Tags"
        addLabel="New tag"
        onAdd={(name) =>
          run(async () => {
            await api("/api/tags", { body: { name } });
            await reloadTags();
          })
        }
      >
        {tags.length === 0 && <p className="px-2 text-xs text-slate-400">No tags yet.</p>}
        {tags.map((tag) => (
          <EditableItem
            key={tag.id}
            name={tag.name}
            count={tag.promptCount}
            icon={<span className="h-2.5 w-2.5 rounded-full" style={{ backgroundColor: tag.color }} />}
            active={filters.tagId === tag.id}
            onClick={() => onFilter({ ...none, tagId: tag.id })}
            colors={TAG_PALETTE}
            color={tag.color}
            onColor={(color) =>
              run(async () => {
                await api(`/api/tags/${tag.id}`, { method: "PATCH", body: { color } });
                await reloadTags();
              })
            }
            onRename={(name) =>
              run(async () => {
                await api(`/api/tags/${tag.id}`, { method: "PATCH", body: { name } });
                await reloadTags();
              })
            }
            onDelete={() =>
              run(async () => {
                if (!confirm(`Delete the tag "${tag.name}"? It is removed from every prompt.`)) return;
                await api(`/api/tags/${tag.id}`, { method: "DELETE" });
                await reloadTags();
                if (filters.tagId === tag.id) onMetadataDeleted();
              })
            }
          />
        ))}
        <button
          type="button"
          className="mt-1 flex items-center gap-1.5 px-2 text-xs text-brand-700 hover:underline"
          onClick={() =>
            run(async () => {
              setNotice("Tagging…");
              const result = await api<{ examined: number; tagged: number; engine: "openai" | "offline"; notice?: string }>("/api/prompts/auto-tag", { body: {} });
              const by = result.engine === "openai" ? " (by AI)" : "";
              const summary = result.tagged ? `Tagged ${result.tagged} of ${result.examined} untagged prompts${by}.` : "No untagged prompt matched a topic.";
              setNotice(result.notice ? `${summary} ${result.notice}` : summary);
              await reloadTags();
              onAutoTagged();
            })
          }
        >
          <Sparkles className="h-3.5 w-3.5" /> Auto-tag untagged prompts
        </button>
        {notice && <p className="px-2 text-xs text-slate-500">{notice}</p>}
      </Section>
    </aside>
  );
}

function Item({ icon, active, onClick, children, count }: { icon: ReactNode; active: boolean; onClick: () => void; children: ReactNode; count?: number }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-current={active ? "page" : undefined}
      className={`focus-ring flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm ${active ? "bg-brand-50 font-medium text-brand-700" : "text-slate-700 hover:bg-slate-100"}`}
    >
      <span className="flex w-4 justify-center text-slate-500">{icon}</span>
      <span className="min-w-0 flex-1 truncate">{children}</span>
      {count !== undefined && <span className="text-xs text-slate-400">{count}</span>}
    </button>
  );
}

function Section({ title, addLabel, onAdd, children }: { title: string; addLabel: string; onAdd: (name: string) => Promise<void>; children: ReactNode }) {
  const [adding, setAdding] = useState(false);
  const [name, setName] = useState("");
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return setAdding(false);
    await onAdd(name.trim());
    setName("");
    setAdding(false);
  }
  return (
    <div>
      <div className="mb-1 flex items-center justify-between px-2">
        <h2 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h2>
        <button type="button" onClick={() => setAdding(true)} className="focus-ring rounded p-0.5 text-slate-400 hover:text-slate-700" aria-label={addLabel} title={addLabel}>
          <Plus className="h-4 w-4" />
        </button>
      </div>
      <div className="space-y-0.5">
        {children}
        {adding && (
          <form onSubmit={submit} className="px-1 pt-1">
            <Input autoFocus aria-label={addLabel} placeholder={`${addLabel}…`} value={name} onChange={(e) => setName(e.target.value)} onBlur={submit} className="h-8" />
          </form>
        )}
      </div>
    </div>
  );
}

type EditableProps = {
  name: string;
  count?: number;
  icon: ReactNode;
  active: boolean;
  onClick: () => void;
  onRename: (name: string) => Promise<void>;
  onDelete: () => Promise<void>;
  colors?: string[];
  color?: string;
  onColor?: (color: string) => Promise<void>;
};

function EditableItem({ name, count, icon, active, onClick, onRename, onDelete, colors, color, onColor }: EditableProps) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(name);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (value.trim() && value.trim() !== name) await onRename(value.trim());
    setEditing(false);
  }
  if (editing) {
    return (
      <form onSubmit={submit} className="space-y-1.5 rounded-md bg-slate-100 p-1.5">
        <Input autoFocus aria-label={`Rename ${name}`} value={value} onChange={(e) => setValue(e.target.value)} className="h-8" />
        {colors && onColor && (
          <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="Tag colour">
            {colors.map((c) => (
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={c === color}
                aria-label={`Colour ${c}`}
                onClick={() => onColor(c)}
                className={`h-5 w-5 rounded-full border-2 ${c === color ? "border-slate-900" : "border-transparent"}`}
                style={{ backgroundColor: c }}
              />
            ))}
          </div>
        )}
        <div className="flex justify-between">
          <button type="button" onClick={onDelete} className="inline-flex items-center gap-1 text-xs text-red-600 hover:underline">
            <Trash2 className="h-3 w-3" /> Delete
          </button>
          <div className="flex gap-2 text-xs">
            <button type="button" onClick={() => setEditing(false)} className="text-slate-500 hover:underline">
              Cancel
            </button>
            <button type="submit" className="font-medium text-brand-700 hover:underline">
              Save
            </button>
          </div>
        </div>
      </form>
    );
  }
  return (
    <div className="group relative">
      <Item icon={icon} active={active} onClick={onClick} count={count}>
        {name}
      </Item>
      <button
        type="button"
        onClick={() => {
          setValue(name);
          setEditing(true);
        }}
        className="absolute right-7 top-1.5 hidden rounded p-0.5 text-slate-400 hover:text-slate-700 group-hover:block"
        aria-label={`Edit ${name}`}
      >
        <Pencil className="h-3.5 w-3.5" />
      </button>
    </div>
  );
}
