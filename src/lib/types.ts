/** Shapes the API returns, as the browser sees them (dates are ISO strings). */
import type { TemplateParameter } from "./templates";

export type Tag = { id: string; name: string; color: string; promptCount?: number };
export type Folder = { id: string; name: string; promptCount?: number };

export type PromptSummary = {
  id: string;
  title: string;
  preview: string;
  bodyLength: number;
  description: string;
  folderId: string | null;
  isFavorite: boolean;
  source: string;
  sourceDetail: { conversationTitle?: string; occurredAt?: string; model?: string };
  modelHint: string | null;
  currentVersion: number;
  useCount: number;
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  tags: Tag[];
};

export type VersionInfo = {
  number: number;
  message: string;
  authorId: string | null;
  authorName: string | null;
  restoredFrom: number | null;
  createdAt: string;
};

export type PromptDetail = {
  id: string;
  title: string;
  body: string;
  description: string;
  notes: string;
  modelHint: string | null;
  parameters: TemplateParameter[];
  variables: TemplateParameter[];
  folder: Folder | null;
  tags: Tag[];
  isFavorite: boolean;
  source: string;
  sourceDetail: { conversationTitle?: string; occurredAt?: string; model?: string };
  currentVersion: number;
  useCount: number;
  labels: { name: string; version: number; updatedAt: string }[];
  version: VersionInfo;
  selectedBy: "latest" | "label" | "version";
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
};

export type VersionListItem = VersionInfo & { title: string; labels: string[] };

export type DiffPart = { value: string; added: boolean; removed: boolean };
export type VersionDiff = { from: VersionInfo; to: VersionInfo; title: DiffPart[]; body: DiffPart[]; parametersChanged: boolean };

export type ImportFormat = { id: string; source: string; label: string };

export type ImportFileView = {
  id: string;
  fileName: string;
  bytes: number;
  status: string;
  source: string | null;
  parser: string | null;
  parserOverride: string | null;
  bytesRead: number;
  conversations: number;
  promptsFound: number;
  processed: number;
  imported: number;
  duplicates: number;
  skipped: number;
  /** Prompts not imported because the plan's prompt limit was reached (import the file again after upgrading). */
  overLimit: number;
  skipReasons: Record<string, number>;
  ignored: { name: string; reason: string }[];
  errors: { message: string; offset?: number; entry?: string }[];
  stored: boolean;
};

export type ImportSessionView = {
  id: string;
  status: string;
  interrupted: boolean;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  files: ImportFileView[];
  totals: { files: number; conversations: number; promptsFound: number; imported: number; duplicates: number; skipped: number; overLimit: number; failed: number };
};
