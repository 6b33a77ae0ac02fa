import { z } from "zod";
import { PROMPT_SOURCES } from "../../db/schema";
import { VARIABLE_NAME } from "@/lib/templates";
import { uuidSchema } from "../input";

export const parameterSchema = z
  .object({
    name: z.string().regex(VARIABLE_NAME, "must start with a letter or _ and use letters, digits, _ . -"),
    type: z.enum(["text", "number", "enum"]).default("text"),
    description: z.string().trim().max(200).optional(),
    required: z.boolean().default(false),
    default: z.string().max(2000).optional(),
    options: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  })
  .superRefine((p, ctx) => {
    if (p.type === "enum" && (!p.options || p.options.length === 0)) {
      ctx.addIssue({ code: "custom", path: ["options"], message: "an enum parameter needs at least one option" });
    }
    if (p.default !== undefined && p.default !== "") {
      if (p.type === "number" && !Number.isFinite(Number(p.default))) {
        ctx.addIssue({ code: "custom", path: ["default"], message: "must be a number" });
      }
      if (p.type === "enum" && p.options && !p.options.includes(p.default)) {
        ctx.addIssue({ code: "custom", path: ["default"], message: "must be one of the options" });
      }
    }
  });

export const parametersSchema = z
  .array(parameterSchema)
  .max(50)
  .superRefine((params, ctx) => {
    const seen = new Set<string>();
    params.forEach((p, i) => {
      if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate parameter ${p.name}` });
      seen.add(p.name);
    });
  });

const title = z.string().trim().min(1, "is required").max(300);
const body = z.string().max(200_000).refine((s) => s.trim().length > 0, "is required");
const message = z.string().trim().max(500);

export const createPromptSchema = z.object({
  title: title.optional(),
  body,
  description: z.string().trim().max(2000).optional(),
  notes: z.string().max(20_000).optional(),
  modelHint: z.string().trim().max(100).nullable().optional(),
  folderId: uuidSchema.nullable().optional(),
  tagIds: z.array(uuidSchema).max(50).optional(),
  isFavorite: z.boolean().optional(),
  parameters: parametersSchema.optional(),
  message: message.optional(),
});
export type CreatePromptInput = z.input<typeof createPromptSchema>;

export const updatePromptSchema = z
  .object({
    title: title.optional(),
    body: body.optional(),
    description: z.string().trim().max(2000).optional(),
    notes: z.string().max(20_000).optional(),
    modelHint: z.string().trim().max(100).nullable().optional(),
    folderId: uuidSchema.nullable().optional(),
    tagIds: z.array(uuidSchema).max(50).optional(),
    isFavorite: z.boolean().optional(),
    parameters: parametersSchema.optional(),
    message: message.optional(),
    // The version the editor started from: saving over a newer version is a conflict, not a silent overwrite.
    baseVersion: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== "message" && k !== "baseVersion"), "nothing to update");
export type UpdatePromptInput = z.input<typeof updatePromptSchema>;

const booleanParam = z.preprocess((v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v), z.boolean());

export const SORTS = ["relevance", "updated", "created", "title", "uses"] as const;
export type PromptSort = (typeof SORTS)[number];

export const listPromptsSchema = z.object({
  q: z.string().trim().max(200).optional(),
  folderId: z.union([uuidSchema, z.literal("none")]).optional(),
  tagId: uuidSchema.optional(),
  source: z.enum(PROMPT_SOURCES).optional(),
  favorite: booleanParam.optional(),
  trashed: booleanParam.optional(),
  /** Prompts seen in this import session (created by it, or folded into by it). */
  importId: uuidSchema.optional(),
  sort: z.enum(SORTS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(500).optional(),
});
export type ListPromptsInput = z.input<typeof listPromptsSchema>;

export const promptSelectorSchema = z
  .object({
    label: z.string().trim().min(1).max(40).optional(),
    version: z.coerce.number().int().min(1).optional(),
  })
  .refine((v) => !(v.label && v.version), "ask for a label or a version, not both");

export const renderSchema = z.object({
  values: z.record(z.string(), z.union([z.string().max(100_000), z.number()])).default({}),
  label: z.string().trim().min(1).max(40).optional(),
  version: z.number().int().min(1).optional(),
});

export const labelNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, "use 1–40 lowercase letters, digits, . _ -")
  .refine((n) => n !== "latest", "latest is reserved: it always means the newest version");

export const setLabelSchema = z.object({ version: z.number().int().min(1) });
export const restoreVersionSchema = z.object({ message: message.optional() });
export const diffSchema = z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) });
