import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { promptOccurrences, promptSignatures, promptVersions, prompts } from "../../db/schema";
import { titleFromBody } from "../prompts/prompt-service";
import { normalizePromptText, occurrenceKey, promptFingerprint } from "./fingerprint";
import { NEAR_DUPLICATE_THRESHOLD, signature, similarity, type Signature } from "./minhash";
import type { StagedPrompt } from "./extract";

export const BATCH_SIZE = 500;
const SOURCE_NAMES: Record<string, string> = { chatgpt: "ChatGPT", claude: "Claude", gemini: "Gemini", cline: "Cline", cursor: "Cursor", generic: "a file" };

type Item = StagedPrompt & { fingerprint: string; key: string; signature: Signature | null };
/** Where a prompt goes: an existing prompt, a new one, or the prompt an earlier item of this batch creates. */
type Decision = { kind: "existing"; promptId: string; variant: boolean } | { kind: "new" } | { kind: "pending"; item: Item; variant: boolean };
type Candidate<T> = { ref: T; minhash: number[]; bands: Set<number> };

export type BatchResult = { created: number; folded: number; alreadyImported: number };

/**
 * Phase 2 of importing a file: writes extracted prompts in batches, each batch one transaction.
 *
 * For each prompt, in file order:
 *  1. its occurrence key is already stored → it was imported before (re-import, or a retry after a crash):
 *     nothing changes;
 *  2. else the same normalised text is in the library → a new occurrence of that prompt (use count + 1);
 *  3. else a near-duplicate (MinHash, see minhash.ts) is in the library or earlier in this batch → a new
 *     occurrence of that prompt, with its own text kept as a variant;
 *  4. else a new prompt (version 1) is created.
 * Use counts are incremented by the occurrences actually inserted, so retrying a batch that was killed
 * halfway gives exactly the library one clean run gives.
 */
export class ImportWriter {
  constructor(
    private readonly db: Database,
    private readonly userId: string,
    private readonly target: { sessionId: string | null; fileId: string | null; fileName: string },
  ) {}

  prepare(prompt: StagedPrompt): Item {
    const normalized = normalizePromptText(prompt.text);
    const fingerprint = promptFingerprint(prompt.text);
    return {
      ...prompt,
      fingerprint,
      key: occurrenceKey(prompt.source, prompt.conversationId, prompt.sourceMessageId, prompt.position, fingerprint),
      signature: signature(normalized),
    };
  }

  async writeBatch(batch: StagedPrompt[]): Promise<BatchResult> {
    const items = batch.map((p) => this.prepare(p));
    return this.db.transaction(async (tx) => {
      const result: BatchResult = { created: 0, folded: 0, alreadyImported: 0 };

      // 1. Occurrences already stored.
      const keys = [...new Set(items.map((i) => i.key))];
      const seen = new Set(
        (
          await tx
            .select({ key: promptOccurrences.occurrenceKey })
            .from(promptOccurrences)
            .where(and(eq(promptOccurrences.userId, this.userId), inArray(promptOccurrences.occurrenceKey, keys)))
        ).map((r) => r.key),
      );
      const fresh: Item[] = [];
      for (const item of items) {
        if (seen.has(item.key)) result.alreadyImported++;
        else {
          seen.add(item.key); // the same message twice in one file counts once
          fresh.push(item);
        }
      }
      if (fresh.length === 0) return result;

      // 2. Exact matches already in the library.
      const byFingerprint = new Map<string, string>();
      const fingerprints = [...new Set(fresh.map((i) => i.fingerprint))];
      for (const row of await tx
        .select({ id: prompts.id, fingerprint: prompts.fingerprint })
        .from(prompts)
        .where(and(eq(prompts.userId, this.userId), inArray(prompts.fingerprint, fingerprints)))) {
        byFingerprint.set(row.fingerprint!, row.id);
      }

      // 3. Near-duplicate candidates in the library: one array-overlap query for the whole batch.
      const bandKeys = [...new Set(fresh.filter((i) => !byFingerprint.has(i.fingerprint) && i.signature).flatMap((i) => i.signature!.bands))];
      const known: Candidate<string>[] = [];
      if (bandKeys.length > 0) {
        const rows = await tx
          .select({ promptId: promptSignatures.promptId, minhash: promptSignatures.minhash, bands: promptSignatures.bands })
          .from(promptSignatures)
          .where(and(eq(promptSignatures.userId, this.userId), sql`${promptSignatures.bands} && ${`{${bandKeys.join(",")}}`}::bigint[]`))
          .orderBy(promptSignatures.promptId);
        for (const row of rows) known.push({ ref: row.promptId, minhash: row.minhash, bands: new Set(row.bands.map(Number)) });
      }

      // Decide, in file order, where each prompt goes; new ones become candidates for the prompts after them.
      const decisions = new Map<Item, Decision>();
      const creating: Item[] = [];
      const pendingByFingerprint = new Map<string, Item>();
      const pendingNear: Candidate<Item>[] = [];
      for (const item of fresh) {
        const exact = byFingerprint.get(item.fingerprint);
        const samePending = pendingByFingerprint.get(item.fingerprint);
        if (exact) {
          decisions.set(item, { kind: "existing", promptId: exact, variant: false });
          continue;
        }
        if (samePending) {
          decisions.set(item, { kind: "pending", item: samePending, variant: false });
          continue;
        }
        if (item.signature) {
          const inLibrary = bestMatch(item.signature, known);
          const inBatch = inLibrary ? undefined : bestMatch(item.signature, pendingNear);
          if (inLibrary) {
            decisions.set(item, { kind: "existing", promptId: inLibrary, variant: true });
            continue;
          }
          if (inBatch) {
            decisions.set(item, { kind: "pending", item: inBatch, variant: true });
            continue;
          }
          pendingNear.push({ ref: item, minhash: item.signature.minhash, bands: new Set(item.signature.bands) });
        }
        decisions.set(item, { kind: "new" });
        pendingByFingerprint.set(item.fingerprint, item);
        creating.push(item);
      }

      // 4. Create the new prompts (their first occurrence creates them).
      const createdIds = new Map<Item, string>();
      if (creating.length > 0) {
        const now = new Date();
        const rows = await tx
          .insert(prompts)
          .values(
            creating.map((item) => ({
              userId: this.userId,
              title: titleFromBody(item.text),
              body: item.text,
              source: item.source,
              sourceDetail: {
                conversationTitle: item.conversationTitle ?? undefined,
                conversationId: item.conversationId ?? undefined,
                occurredAt: item.createdAt?.toISOString(),
                model: item.model ?? undefined,
                fileName: this.target.fileName,
              },
              importSessionId: this.target.sessionId,
              fingerprint: item.fingerprint,
              useCount: 0,
              currentVersion: 1,
              createdAt: item.createdAt ?? now,
              updatedAt: item.createdAt ?? now,
            })),
          )
          .onConflictDoNothing()
          .returning({ id: prompts.id, fingerprint: prompts.fingerprint });
        const idByFingerprint = new Map(rows.map((r) => [r.fingerprint!, r.id]));
        // A concurrent import of the same text may have won the race: fold into its prompt instead.
        const lost = creating.filter((i) => !idByFingerprint.has(i.fingerprint));
        if (lost.length > 0) {
          for (const row of await tx
            .select({ id: prompts.id, fingerprint: prompts.fingerprint })
            .from(prompts)
            .where(and(eq(prompts.userId, this.userId), inArray(prompts.fingerprint, lost.map((i) => i.fingerprint))))) {
            decisions.set(pendingByFingerprint.get(row.fingerprint!)!, { kind: "existing", promptId: row.id, variant: false });
          }
        }
        const made = creating.filter((i) => idByFingerprint.has(i.fingerprint));
        for (const item of made) createdIds.set(item, idByFingerprint.get(item.fingerprint)!);
        if (made.length > 0) {
          await tx.insert(promptVersions).values(
            made.map((item) => ({
              promptId: createdIds.get(item)!,
              userId: this.userId,
              number: 1,
              title: titleFromBody(item.text),
              body: item.text,
              message: `Imported from ${SOURCE_NAMES[item.source] ?? item.source}${item.conversationTitle ? ` — “${item.conversationTitle.slice(0, 120)}”` : ""}`,
              authorId: this.userId,
              createdAt: item.createdAt ?? now,
            })),
          );
          const signed = made.filter((i) => i.signature);
          if (signed.length > 0) {
            await tx.insert(promptSignatures).values(
              signed.map((item) => ({ promptId: createdIds.get(item)!, userId: this.userId, minhash: item.signature!.minhash, bands: item.signature!.bands })),
            );
          }
        }
      }

      // 5. Occurrences, and use counts from the occurrences actually inserted.
      const resolve = (item: Item): { promptId: string; variant: boolean; first: boolean } => {
        const decision = decisions.get(item)!;
        if (decision.kind === "existing") return { promptId: decision.promptId, variant: decision.variant, first: false };
        if (decision.kind === "new") return { promptId: createdIds.get(item)!, variant: false, first: true };
        return { promptId: resolve(decision.item).promptId, variant: decision.variant, first: false };
      };
      const occurrenceRows = fresh.map((item) => {
        const { promptId, variant, first } = resolve(item);
        return {
          userId: this.userId,
          promptId,
          importFileId: this.target.fileId,
          source: item.source,
          occurrenceKey: item.key,
          conversationId: item.conversationId,
          conversationTitle: item.conversationTitle,
          model: item.model,
          occurredAt: item.createdAt,
          position: item.position,
          activeBranch: item.activeBranch ?? true,
          variantText: variant ? item.text : null,
          isFirst: first,
        };
      });
      const inserted = await tx.insert(promptOccurrences).values(occurrenceRows).onConflictDoNothing().returning({ promptId: promptOccurrences.promptId, isFirst: promptOccurrences.isFirst });
      const perPrompt = new Map<string, number>();
      for (const row of inserted) {
        perPrompt.set(row.promptId, (perPrompt.get(row.promptId) ?? 0) + 1);
        if (row.isFirst) result.created++;
        else result.folded++;
      }
      result.alreadyImported += fresh.length - inserted.length;
      // One statement for all counts: ids and increments as parallel arrays.
      if (perPrompt.size > 0) {
        const ids = [...perPrompt.keys()];
        const increments = ids.map((id) => perPrompt.get(id)!);
        await tx.execute(sql`
          update ${prompts} set use_count = ${prompts.useCount} + u.n
          from (select unnest(${`{${ids.join(",")}}`}::uuid[]) as id, unnest(${`{${increments.join(",")}}`}::int[]) as n) u
          where ${prompts.id} = u.id and ${prompts.userId} = ${this.userId}`);
      }
      return result;
    });
  }
}

function bestMatch<T>(sig: Signature, candidates: Candidate<T>[]): T | undefined {
  let best: { ref: T; score: number } | undefined;
  for (const candidate of candidates) {
    if (!sig.bands.some((b) => candidate.bands.has(b))) continue;
    const score = similarity(sig.minhash, candidate.minhash);
    if (score >= NEAR_DUPLICATE_THRESHOLD && (!best || score > best.score)) best = { ref: candidate.ref, score };
  }
  return best?.ref;
}
