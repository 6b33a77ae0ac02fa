/**
 * Files from a drop, including the contents of dropped folders (a Cline `tasks/` folder, a `.specstory`
 * folder). Names keep their folder path so a task's files stay recognisable.
 */
type Entry = { isFile: boolean; isDirectory: boolean; name: string; fullPath: string };
type FileEntry = Entry & { file(ok: (f: File) => void, fail: (e: unknown) => void): void };
type DirectoryEntry = Entry & { createReader(): { readEntries(ok: (entries: Entry[]) => void, fail: (e: unknown) => void): void } };

export async function collectDroppedFiles(data: DataTransfer): Promise<{ file: File; name: string }[]> {
  const items = Array.from(data.items ?? []);
  const entries = items.map((item) => (item as DataTransferItem & { webkitGetAsEntry?: () => Entry | null }).webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((e) => e === null)) {
    return Array.from(data.files).map((file) => ({ file, name: file.name }));
  }
  const out: { file: File; name: string }[] = [];
  for (const entry of entries) await walk(entry!, out);
  return out;
}

async function walk(entry: Entry, out: { file: File; name: string }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => (entry as FileEntry).file(ok, fail));
    out.push({ file, name: entry.fullPath.replace(/^\//, "") || file.name });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as DirectoryEntry).createReader();
  // readEntries returns the folder in pages; an empty page means the end.
  for (;;) {
    const page = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (page.length === 0) break;
    for (const child of page) if (!child.name.startsWith(".") || child.name === ".specstory") await walk(child, out);
  }
}
