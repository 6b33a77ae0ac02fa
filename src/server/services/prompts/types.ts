import type { PromptSource, PromptSourceDetail, TemplateParameter } from "../../db/schema";

export type TagRef = { id: string; name: string; color: string };
export type FolderRef = { id: string; name: string };

export type PromptSummary = {
  id: string;
  title: string;
  preview: string;
  bodyLength: number;
  description: string;
  folderId: string | null;
  isFavorite: boolean;
  source: PromptSource;
  sourceDetail: PromptSourceDetail;
  modelHint: string | null;
  currentVersion: number;
  useCount: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  tags: TagRef[];
};

export type VersionInfo = {
  number: number;
  message: string;
  authorId: string | null;
  authorName: string | null;
  restoredFrom: number | null;
  createdAt: Date;
};

export type LabelRef = { name: string; version: number; updatedAt: Date };

export type PromptDetail = {
  id: string;
  title: string;
  body: string;
  description: string;
  notes: string;
  modelHint: string | null;
  /** The declared parameter schema. */
  parameters: TemplateParameter[];
  /** Every `{{variable}}` in the body with its effective parameter (declared, or required text). */
  variables: TemplateParameter[];
  folder: FolderRef | null;
  tags: TagRef[];
  isFavorite: boolean;
  source: PromptSource;
  sourceDetail: PromptSourceDetail;
  currentVersion: number;
  useCount: number;
  labels: LabelRef[];
  /** The version whose title/body/parameters are shown: the current one unless a label or number was asked for. */
  version: VersionInfo;
  selectedBy: "latest" | "label" | "version";
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
};
