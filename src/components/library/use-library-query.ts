"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";

export type LibraryFilters = {
  q: string;
  folderId?: string;
  tagId?: string;
  source?: string;
  favorite?: boolean;
  importId?: string;
  sort?: string;
};

/** The library's filters live in the URL, so a filtered view can be linked to and survives reloads. */
export function useLibraryQuery(): [LibraryFilters, (patch: Partial<LibraryFilters>) => void] {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const filters = useMemo<LibraryFilters>(
    () => ({
      q: params.get("q") ?? "",
      folderId: params.get("folder") ?? undefined,
      tagId: params.get("tag") ?? undefined,
      source: params.get("source") ?? undefined,
      favorite: params.get("favorite") === "true" ? true : undefined,
      importId: params.get("import") ?? undefined,
      sort: params.get("sort") ?? undefined,
    }),
    [params],
  );
  const update = useCallback(
    (patch: Partial<LibraryFilters>) => {
      const next = { ...filters, ...patch };
      const search = new URLSearchParams();
      if (next.q) search.set("q", next.q);
      if (next.folderId) search.set("folder", next.folderId);
      if (next.tagId) search.set("tag", next.tagId);
      if (next.source) search.set("source", next.source);
      if (next.favorite) search.set("favorite", "true");
      if (next.importId) search.set("import", next.importId);
      if (next.sort) search.set("sort", next.sort);
      const s = search.toString();
      router.replace(s ? `${pathname}?${s}` : pathname, { scroll: false });
    },
    [filters, pathname, router],
  );
  return [filters, update];
}
