import type { Metadata } from "next";
import { PromptWorkspace } from "@/components/prompt/prompt-workspace";
import { getDatabase } from "@/server/db/client";
import { requirePageUser } from "@/server/http/page-user";
import { FolderService } from "@/server/services/folder-service";
import { TagService } from "@/server/services/tag-service";

export const metadata: Metadata = { title: "New prompt" };

export default async function NewPromptPage({ searchParams }: { searchParams: Promise<{ folder?: string }> }) {
  const user = await requirePageUser("/prompts/new");
  const db = await getDatabase();
  const [folders, tags] = await Promise.all([new FolderService(db, user.id).list(), new TagService(db, user.id).list()]);
  const { folder } = await searchParams;
  const folderId = folders.some((f) => f.id === folder) ? folder : undefined;
  return <PromptWorkspace folders={JSON.parse(JSON.stringify(folders))} initialTags={JSON.parse(JSON.stringify(tags))} defaultFolderId={folderId} />;
}
