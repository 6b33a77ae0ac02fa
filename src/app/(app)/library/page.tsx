import type { Metadata } from "next";
import { LibraryView } from "@/components/library/library-view";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { FolderService } from "@/server/services/folder-service";
import { TagService } from "@/server/services/tag-service";

export const metadata: Metadata = { title: "Library" };

export default async function LibraryPage() {
  const user = await requirePageUser("/library");
  const db = await getDatabase();
  const [folders, tags] = await Promise.all([new FolderService(db, user.id).list(), new TagService(db, user.id).list()]);
  return <LibraryView initialFolders={JSON.parse(JSON.stringify(folders))} initialTags={JSON.parse(JSON.stringify(tags))} />;
}
