import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PromptWorkspace } from "@/components/prompt/prompt-workspace";
import { getDatabase } from "@/server/db/client";
import { isServiceError } from "@/server/errors";
import { requirePageUser } from "@/server/http/page-user";
import { FolderService } from "@/server/services/folder-service";
import { PromptService } from "@/server/services/prompts/prompt-service";
import { TagService } from "@/server/services/tag-service";

export const metadata: Metadata = { title: "Prompt" };

/** JSON round trip: server objects (Dates) become exactly what the API would have sent. */
const plain = <T,>(value: T) => JSON.parse(JSON.stringify(value));

export default async function PromptPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser(`/prompts/${id}`);
  const db = await getDatabase();
  const prompt = await new PromptService(db, user.id).get(id).catch((error) => {
    if (isServiceError(error) && error.code === "not_found") notFound();
    throw error;
  });
  const [folders, tags] = await Promise.all([new FolderService(db, user.id).list(), new TagService(db, user.id).list()]);
  return <PromptWorkspace initialPrompt={plain(prompt)} folders={plain(folders)} initialTags={plain(tags)} />;
}
