import { randomBytes } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { promptForks, promptVersions, prompts, shares, users, type TemplateParameter } from "../db/schema";
import { ServiceError, notFound } from "../errors";
import { parseInput, requireId } from "./input";
import { PlanLimiter } from "./plan-limiter";
import { PromptService } from "./prompts/prompt-service";
import type { PromptDetail } from "./prompts/types";

/** 18 random bytes = 144 bits, base64url: unguessable, and short enough to paste. */
export function newShareSlug(): string {
  return randomBytes(18).toString("base64url");
}

const createShareSchema = z
  .object({
    promptId: z.string(),
    /** A version number to pin, or "latest" to follow the prompt as it changes. */
    version: z.union([z.number().int().min(1), z.literal("latest")]).default("latest"),
    expiresAt: z.coerce.date().nullable().optional(),
    maxViews: z.number().int().min(1).max(1_000_000).nullable().optional(),
    allowCopy: z.boolean().default(true),
    showAuthor: z.boolean().default(false),
    noindex: z.boolean().default(false),
  })
  .refine((v) => !v.expiresAt || v.expiresAt.getTime() > Date.now(), { path: ["expiresAt"], message: "must be in the future" });

export type ShareState = "active" | "expired" | "exhausted" | "revoked" | "unavailable";

export type ShareView = {
  id: string;
  slug: string;
  promptId: string;
  promptTitle: string;
  version: number | "latest";
  expiresAt: Date | null;
  maxViews: number | null;
  viewCount: number;
  allowCopy: boolean;
  showAuthor: boolean;
  noindex: boolean;
  state: ShareState;
  revokedAt: Date | null;
  lastViewedAt: Date | null;
  createdAt: Date;
};

/** Exactly what a public page may show: nothing that identifies the owner or other objects. */
export type PublicShare = {
  slug: string;
  title: string;
  body: string;
  parameters: TemplateParameter[];
  version: number;
  pinned: boolean;
  authorName: string | null;
  allowCopy: boolean;
  noindex: boolean;
  updatedAt: Date;
};

export type ShareAccess = { ok: true; share: PublicShare } | { ok: false; state: Exclude<ShareState, "active"> | "missing" };

const ownerColumns = {
  id: shares.id,
  slug: shares.slug,
  promptId: shares.promptId,
  promptTitle: prompts.title,
  versionNumber: promptVersions.number,
  expiresAt: shares.expiresAt,
  maxViews: shares.maxViews,
  viewCount: shares.viewCount,
  allowCopy: shares.allowCopy,
  showAuthor: shares.showAuthor,
  noindex: shares.noindex,
  revokedAt: shares.revokedAt,
  lastViewedAt: shares.lastViewedAt,
  createdAt: shares.createdAt,
  promptDeletedAt: prompts.deletedAt,
};

function stateOf(row: { revokedAt: Date | null; expiresAt: Date | null; maxViews: number | null; viewCount: number; promptDeletedAt: Date | null }): ShareState {
  if (row.revokedAt) return "revoked";
  if (row.promptDeletedAt) return "unavailable";
  if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return "expired";
  if (row.maxViews !== null && row.viewCount >= row.maxViews) return "exhausted";
  return "active";
}

/** The owner's side of share links: create, list, revoke. */
export class ShareService {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
  ) {}

  async create(rawInput: unknown): Promise<ShareView> {
    const input = parseInput(createShareSchema, rawInput);
    const promptId = requireId(input.promptId, "Prompt");
    const prompt = await new PromptService(this.db, this.userId).findOwned(this.db, promptId);
    let versionId: string | null = null;
    if (input.version !== "latest") {
      const [version] = await this.db
        .select({ id: promptVersions.id })
        .from(promptVersions)
        .where(and(eq(promptVersions.promptId, prompt.id), eq(promptVersions.number, input.version)));
      if (!version) throw notFound(`Version ${input.version}`);
      versionId = version.id;
    }
    const [row] = await this.db.transaction(async (tx) => {
      await new PlanLimiter(tx, this.userId).assert("activeShares", 1);
      return tx
        .insert(shares)
        .values({
          userId: this.userId,
          promptId: prompt.id,
          versionId,
          slug: newShareSlug(),
          expiresAt: input.expiresAt ?? null,
          maxViews: input.maxViews ?? null,
          allowCopy: input.allowCopy,
          showAuthor: input.showAuthor,
          noindex: input.noindex,
        })
        .returning({ id: shares.id });
    });
    return this.get(row!.id);
  }

  async list(rawPromptId?: string): Promise<ShareView[]> {
    const promptId = rawPromptId ? requireId(rawPromptId, "Prompt") : undefined;
    const rows = await this.db
      .select(ownerColumns)
      .from(shares)
      .innerJoin(prompts, eq(prompts.id, shares.promptId))
      .leftJoin(promptVersions, eq(promptVersions.id, shares.versionId))
      .where(and(eq(shares.userId, this.userId), promptId ? eq(shares.promptId, promptId) : undefined))
      .orderBy(desc(shares.createdAt))
      .limit(500);
    return rows.map(toView);
  }

  async get(rawId: string): Promise<ShareView> {
    const id = requireId(rawId, "Share link");
    const [row] = await this.db
      .select(ownerColumns)
      .from(shares)
      .innerJoin(prompts, eq(prompts.id, shares.promptId))
      .leftJoin(promptVersions, eq(promptVersions.id, shares.versionId))
      .where(and(eq(shares.id, id), eq(shares.userId, this.userId)));
    if (!row) throw notFound("Share link");
    return toView(row);
  }

  async revoke(rawId: string): Promise<ShareView> {
    const id = requireId(rawId, "Share link");
    const [row] = await this.db
      .update(shares)
      .set({ revokedAt: sql`coalesce(${shares.revokedAt}, now())` })
      .where(and(eq(shares.id, id), eq(shares.userId, this.userId)))
      .returning({ id: shares.id });
    if (!row) throw notFound("Share link");
    return this.get(id);
  }

  /**
   * Saves a copy of a shared prompt into this user's library, with its provenance. Opening the save page is
   * not a view; a revoked or expired link cannot be saved from, and neither can one whose owner forbids it.
   */
  async saveCopy(slug: string): Promise<PromptDetail> {
    // A viewer who used the last allowed view may still keep what they saw: views are not checked here.
    const access = await new PublicShareService(this.db).peek(slug, { ignoreViews: true });
    if (!access.ok) {
      if (access.state === "missing") throw notFound("Shared prompt");
      throw new ServiceError("gone", "This shared link is no longer available.");
    }
    if (!access.share.allowCopy) throw new ServiceError("forbidden", "The owner of this prompt does not allow saving copies.");
    const [shareRow] = await this.db.select({ id: shares.id }).from(shares).where(eq(shares.slug, slug));
    return this.db.transaction(async (tx) => {
      const created = await new PromptService(tx, this.userId).create(
        { title: access.share.title, body: access.share.body, parameters: access.share.parameters, message: "Saved from a shared link" },
        { source: "share" },
      );
      await tx.insert(promptForks).values({ promptId: created.id, shareId: shareRow!.id, sourceVersionNumber: access.share.version });
      return created;
    });
  }
}

/** The public side: opening a link (counted atomically), and reading it without counting (image, save). */
export class PublicShareService {
  constructor(private readonly db: Database) {}

  /**
   * Counts a view and returns the content — in one UPDATE whose WHERE re-checks revocation, expiry and the
   * view limit, so concurrent opens of a link limited to n views serve exactly n.
   */
  async open(slug: string): Promise<ShareAccess> {
    if (!validSlug(slug)) return { ok: false, state: "missing" };
    // One round trip in the common case: count the view and read the content in the same statement.
    const result = await this.db.execute(sql`
      with counted as (
        update ${shares} set view_count = view_count + 1, last_viewed_at = now()
        where slug = ${slug} and revoked_at is null
          and (expires_at is null or expires_at > now())
          and (max_views is null or view_count < max_views)
          and exists (select 1 from ${prompts} p where p.id = ${shares}.prompt_id and p.deleted_at is null)
        returning prompt_id, version_id, user_id, allow_copy, show_author, noindex
      )
      select v.number, v.title, v.body, v.parameters, v.created_at::text as created_at, c.version_id is not null as pinned,
             c.allow_copy, c.show_author, c.noindex, u.display_name
      from counted c
      join ${prompts} p on p.id = c.prompt_id
      join ${promptVersions} v on v.prompt_id = p.id and (v.id = c.version_id or (c.version_id is null and v.number = p.current_version))
      join ${users} u on u.id = c.user_id`);
    const row = (result as unknown as { rows: PublicRow[] }).rows[0];
    if (!row) return this.peek(slug).then((a) => (a.ok ? { ok: false, state: "exhausted" } : a));
    return {
      ok: true,
      share: {
        slug,
        title: row.title,
        body: row.body,
        parameters: typeof row.parameters === "string" ? JSON.parse(row.parameters) : row.parameters,
        version: Number(row.number),
        pinned: Boolean(row.pinned),
        authorName: row.show_author ? row.display_name : null,
        allowCopy: Boolean(row.allow_copy),
        noindex: Boolean(row.noindex),
        updatedAt: new Date(row.created_at),
      },
    };
  }

  /** The share's content and state, without counting a view. */
  async peek(slug: string, options: { ignoreViews?: boolean } = {}): Promise<ShareAccess> {
    if (!validSlug(slug)) return { ok: false, state: "missing" };
    const [row] = await this.db
      .select({
        revokedAt: shares.revokedAt,
        expiresAt: shares.expiresAt,
        maxViews: shares.maxViews,
        viewCount: shares.viewCount,
        promptDeletedAt: prompts.deletedAt,
        pinnedVersionId: shares.versionId,
        currentVersion: prompts.currentVersion,
        promptId: prompts.id,
        allowCopy: shares.allowCopy,
        showAuthor: shares.showAuthor,
        noindex: shares.noindex,
        authorName: users.displayName,
      })
      .from(shares)
      .innerJoin(prompts, eq(prompts.id, shares.promptId))
      .innerJoin(users, eq(users.id, shares.userId))
      .where(eq(shares.slug, slug));
    if (!row) return { ok: false, state: "missing" };
    const state = stateOf(options.ignoreViews ? { ...row, maxViews: null } : row);
    if (state !== "active") return { ok: false, state };
    const [version] = await this.db
      .select({ number: promptVersions.number, title: promptVersions.title, body: promptVersions.body, parameters: promptVersions.parameters, createdAt: promptVersions.createdAt })
      .from(promptVersions)
      .where(
        row.pinnedVersionId
          ? eq(promptVersions.id, row.pinnedVersionId)
          : and(eq(promptVersions.promptId, row.promptId), eq(promptVersions.number, row.currentVersion)),
      );
    if (!version) return { ok: false, state: "unavailable" };
    return {
      ok: true,
      share: {
        slug,
        title: version.title,
        body: version.body,
        parameters: version.parameters,
        version: version.number,
        pinned: Boolean(row.pinnedVersionId),
        // Only the display name the owner chose, and only if they opted in — never the email.
        authorName: row.showAuthor ? row.authorName : null,
        allowCopy: row.allowCopy,
        noindex: row.noindex,
        updatedAt: version.createdAt,
      },
    };
  }
}

type PublicRow = {
  number: number | string;
  title: string;
  body: string;
  parameters: TemplateParameter[] | string;
  created_at: string;
  pinned: boolean;
  allow_copy: boolean;
  show_author: boolean;
  noindex: boolean;
  display_name: string | null;
};

function validSlug(slug: string): boolean {
  return /^[A-Za-z0-9_-]{16,64}$/.test(slug);
}

function toView(row: {
  id: string;
  slug: string;
  promptId: string;
  promptTitle: string;
  versionNumber: number | null;
  expiresAt: Date | null;
  maxViews: number | null;
  viewCount: number;
  allowCopy: boolean;
  showAuthor: boolean;
  noindex: boolean;
  revokedAt: Date | null;
  lastViewedAt: Date | null;
  createdAt: Date;
  promptDeletedAt: Date | null;
}): ShareView {
  const { versionNumber, promptDeletedAt: _deleted, ...rest } = row;
  return { ...rest, version: versionNumber ?? "latest", state: stateOf(row) };
}
