import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { PlanLimiter } from "../plan-limiter";
import { titleFromBody } from "../prompts/prompt-service";
import { fingerprintOfNormalized, normalizePromptText, occurrenceKey } from "./fingerprint";
import { MIN_SHARED_BANDS, NEAR_DUPLICATE_THRESHOLD, SIGNATURE_SIZE, signature, similarity, type Signature } from "./minhash";
import type { StagedPrompt } from "./extract";

/**
 * Prompts per batch (one transaction). Large enough that per-batch costs (round trips, the plan limit's count,
 * the commit, use counts of prompts an earlier batch created) stay small; the near-duplicate lookup scales with
 * it (see KEYS_PER_SCAN).
 */
export const BATCH_SIZE = 2000;
const SOURCE_NAMES: Record<string, string> = { chatgpt: "ChatGPT", claude: "Claude", gemini: "Gemini", cline: "Cline", cursor: "Cursor", generic: "a file" };

type Item = StagedPrompt & { fingerprint: string; key: string; normalized: string; signature?: Signature | null };
/** Where a prompt goes: an existing prompt, a new one, or the prompt an earlier item of this batch creates. */
type Decision = { kind: "existing"; promptId: string; variant: boolean } | { kind: "new" } | { kind: "pending"; item: Item; variant: boolean };
type Candidate<T> = { ref: T; minhash: ArrayLike<number> };

/** overLimit: prompts not written because the user's plan allows no more prompts (nor their copies in the batch). */
export type BatchResult = { created: number; folded: number; alreadyImported: number; overLimit: number };

/**
 * Library signatures are looked up with all but the MIN_SHARED_BANDS − 1 most common of a prompt's band keys
 * (a near-duplicate shares at least MIN_SHARED_BANDS bands, so it shares one of the others): how common a key
 * is only decides which keys are left out, never what is found. Counts come from the signatures this writer
 * stores and, once a file has this many lookups, from the user's whole library (one aggregate query).
 */
const LOAD_BAND_COUNTS_AFTER = 1000;

/**
 * How many of its own signatures a writer keeps in memory (see ImportWriter.nearSource): about 1 KB each with
 * their index (BandIndex), so about 50 MB at this size; past it the writer looks them up in the database
 * like the rest of the library.
 */
export const OWN_SIGNATURES_IN_MEMORY = 50_000;

export class ImportWriter {
  /** How many stored signatures carry each band key (a hint for lookups, see LOAD_BAND_COUNTS_AFTER). */
  private readonly bandCounts = new Map<number, number>();
  private bandCountsLoaded = false;
  private lookups = 0;
  /**
   * Where near-duplicate candidates come from. "memory": the user had no signatures when this writer started,
   * so every candidate is a prompt this writer created, and its own signatures (kept in `own`) are the whole
   * candidate set: no index scan at all. "database": the library's signatures index (which holds this writer's
   * too). Decided at the first batch; memory turns into database once `own` reaches its budget. Both find the
   * same candidates, so they decide alike (tested). A near-duplicate written meanwhile by another import of
   * the same user is not seen in memory mode; its exact copies still are (fingerprints are always looked up).
   */
  private nearSource: "memory" | "database" | undefined;
  private own: BandIndex<{ promptId: string; fingerprint: string }> | undefined;
  /** Prompts of `own` deleted since they were stored (purged from the trash mid-import): never candidates again. */
  private readonly forgotten = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly userId: string,
    private readonly target: { sessionId: string | null; fileId: string | null; fileName: string },
    private readonly ownSignaturesInMemory = OWN_SIGNATURES_IN_MEMORY,
  ) {}

  /** Where near-duplicate candidates come from now (undefined before the first batch). */
  get nearDuplicateSource(): "memory" | "database" | undefined {
    return this.nearSource;
  }

  prepare(prompt: StagedPrompt): Item {
    const normalized = normalizePromptText(prompt.text);
    const fingerprint = fingerprintOfNormalized(normalized);
    return { ...prompt, fingerprint, normalized, key: occurrenceKey(prompt.source, prompt.conversationId, prompt.sourceMessageId, prompt.position, fingerprint) };
  }

  /** The MinHash signature, computed only for prompts that need near-duplicate matching. */
  private signatureOf(item: Item): Signature | null {
    if (item.signature === undefined) item.signature = signature(item.normalized);
    return item.signature;
  }

  async writeBatch(batch: StagedPrompt[]): Promise<BatchResult> {
    const items = batch.map((p) => this.prepare(p));
    if (this.nearSource === undefined) {
      const [row] = await rows<{ found: boolean }>(this.db, sql`select exists (select 1 from prompt_signatures where user_id = ${this.userId}) as found`);
      this.nearSource = row?.found || this.ownSignaturesInMemory <= 0 ? "database" : "memory";
      if (this.nearSource === "memory") this.own = new BandIndex();
    }
    if (this.nearSource === "database" && !this.bandCountsLoaded && this.lookups + items.length > LOAD_BAND_COUNTS_AFTER) await this.loadBandCounts();
    const stored: { promptId: string; fingerprint: string; signature: Signature }[] = [];
    const result = await this.db.transaction(async (tx) => {
      const result: BatchResult = { created: 0, folded: 0, alreadyImported: 0, overLimit: 0 };

      // 1. Occurrences already stored.
      const keys = [...new Set(items.map((i) => i.key))];
      const seen = new Set(
        (
          await rows<{ key: string; id: string | null }>(
            tx,
            sql`select k.key, (select o.id from prompt_occurrences o where o.user_id = ${this.userId} and o.occurrence_key = k.key) as id
                from unnest(${textArray(keys)}::text[]) as k(key)`,
          )
        )
          .filter((r) => r.id !== null)
          .map((r) => r.key),
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
      for (const row of await this.promptsByFingerprint(tx, fingerprints)) byFingerprint.set(row.fingerprint, row.id);

      // 3. Near-duplicate candidates in the library, then where each prompt goes, decided in file order (new ones
      //    become candidates for the prompts after them). A candidate from memory whose prompt was deleted since
      //    (purged from the trash mid-import) is forgotten and the batch decided again.
      const probes: Item[] = [];
      const probed = new Set<string>();
      for (const item of fresh) {
        if (byFingerprint.has(item.fingerprint) || probed.has(item.fingerprint)) continue;
        probed.add(item.fingerprint);
        if (this.signatureOf(item)) probes.push(item);
      }
      const known = this.nearSource === "database" ? await this.databaseCandidates(tx, probes) : new Map<string, Candidate<string>[]>();
      let decided: Decided;
      for (;;) {
        if (this.own) this.ownCandidates(probes, known);
        decided = decide(fresh, byFingerprint, known, (item) => this.signatureOf(item));
        if (!this.own) break;
        const fromMemory = new Set<string>();
        for (const decision of decided.decisions.values()) if (decision.kind === "existing" && decision.variant) fromMemory.add(decision.promptId);
        if (fromMemory.size === 0) break;
        const missing = (
          await rows<{ id: string }>(
            tx,
            sql`select m.id from unnest(${`{${[...fromMemory].join(",")}}`}::uuid[]) as m(id) where not exists (select 1 from prompts p where p.id = m.id)`,
          )
        ).map((r) => r.id);
        if (missing.length === 0) break;
        for (const id of missing) this.forgotten.add(id);
      }
      const { decisions, creating, pendingByFingerprint } = decided;

      // Where each item ends up if every new prompt is created (a concurrent import may still win a race).
      const creator = (item: Item): Item | undefined => {
        const decision = decisions.get(item)!;
        if (decision.kind === "new") return item;
        if (decision.kind === "pending") return creator(decision.item);
        return undefined;
      };

      // The plan's prompt limit: new prompts past it are not created, in file order, and neither are the copies
      // that would have folded into them. Locking the user's row orders this against every other prompt write.
      let kept = fresh;
      if (creating.length > 0) {
        const { remaining } = await new PlanLimiter(tx, this.userId).remaining("prompts");
        if (remaining !== null && creating.length > remaining) {
          const dropped = new Set(creating.splice(remaining));
          kept = fresh.filter((item) => {
            const made = creator(item);
            return made === undefined || !dropped.has(made);
          });
          result.overLimit = fresh.length - kept.length;
          if (kept.length === 0) return result;
        }
      }

      const expectedUses = new Map<Item, number>();
      for (const item of kept) {
        const made = creator(item);
        if (made) expectedUses.set(made, (expectedUses.get(made) ?? 0) + 1);
      }

      // 4. Create the new prompts (their first occurrence creates them) with version 1 and their signature, in
      //    one statement; each starts with the use count its occurrences in this batch will give it.
      const createdIds = new Map<Item, string>();
      if (creating.length > 0) {
        const now = new Date();
        const input = creating.map((item) => {
          const at = (item.createdAt ?? now).toISOString();
          return {
            title: wellFormed(titleFromBody(item.text)),
            body: wellFormed(item.text),
            source: item.source,
            detail: {
              conversationTitle: wellFormedOr(item.conversationTitle),
              conversationId: wellFormedOr(item.conversationId),
              occurredAt: item.createdAt?.toISOString(),
              model: wellFormedOr(item.model),
              fileName: wellFormed(this.target.fileName),
            },
            fingerprint: item.fingerprint,
            uses: expectedUses.get(item) ?? 0,
            at,
            message: wellFormed(`Imported from ${SOURCE_NAMES[item.source] ?? item.source}${item.conversationTitle ? ` — “${item.conversationTitle.slice(0, 120)}”` : ""}`),
          };
        });
        const made = await rows<{ id: string; fingerprint: string }>(
          tx,
          sql`with input as (
                select * from json_to_recordset(${JSON.stringify(input)}::json)
                  as r(title text, body text, source text, detail jsonb, fingerprint text, uses int, at timestamptz, message text)
              ), made as (
                insert into prompts (user_id, title, body, source, source_detail, import_session_id, fingerprint, use_count, current_version, created_at, updated_at)
                select ${this.userId}::uuid, title, body, source, detail, ${this.target.sessionId}::uuid, fingerprint, uses, 1, at, at from input
                on conflict do nothing
                returning id, fingerprint
              ), versions as (
                insert into prompt_versions (prompt_id, user_id, number, title, body, message, author_id, created_at)
                select made.id, ${this.userId}::uuid, 1, input.title, input.body, input.message, ${this.userId}::uuid, input.at
                from made join input on input.fingerprint = made.fingerprint
              )
              select id, fingerprint from made`,
        );
        const idByFingerprint = new Map(made.map((r) => [r.fingerprint, r.id]));
        // A concurrent import of the same text may have won the race: fold into its prompt instead.
        const lost = creating.filter((i) => !idByFingerprint.has(i.fingerprint));
        if (lost.length > 0) {
          for (const row of await this.promptsByFingerprint(tx, lost.map((i) => i.fingerprint))) {
            decisions.set(pendingByFingerprint.get(row.fingerprint)!, { kind: "existing", promptId: row.id, variant: false });
          }
        }
        const signed: { promptId: string; minhash: number[]; bands: number[] }[] = [];
        for (const item of creating) {
          const id = idByFingerprint.get(item.fingerprint);
          if (id === undefined) continue;
          createdIds.set(item, id);
          if (item.signature) signed.push({ promptId: id, minhash: item.signature.minhash, bands: item.signature.bands });
        }
        if (signed.length > 0) {
          // The signatures' GIN index is searched by every batch (step 3): a small pending list keeps new keys in
          // the index tree instead of a list each search reads whole (the default limit is 4 MB).
          await tx.execute(sql`set local gin_pending_list_limit = 64`);
          await tx.execute(sql`
            insert into prompt_signatures (prompt_id, user_id, minhash, bands)
            select r."promptId", ${this.userId}::uuid, r.minhash, r.bands
            from json_to_recordset(${JSON.stringify(signed)}::json) as r("promptId" uuid, minhash int[], bands bigint[])`);
          await tx.execute(sql`set local gin_pending_list_limit to default`);
          if (this.nearSource === "database") for (const { bands } of signed) for (const band of bands) this.bandCounts.set(band, (this.bandCounts.get(band) ?? 0) + 1);
        }
        for (const item of creating) {
          const id = createdIds.get(item);
          if (id !== undefined && item.signature) stored.push({ promptId: id, fingerprint: item.fingerprint, signature: item.signature });
        }
      }

      // 5. Occurrences; use counts then follow the occurrences actually inserted.
      const resolve = (item: Item): { promptId: string; variant: boolean; first: boolean } => {
        const decision = decisions.get(item)!;
        if (decision.kind === "existing") return { promptId: decision.promptId, variant: decision.variant, first: false };
        if (decision.kind === "new") return { promptId: createdIds.get(item)!, variant: false, first: true };
        return { promptId: resolve(decision.item).promptId, variant: decision.variant, first: false };
      };
      const occurrenceRows = kept.map((item) => {
        const { promptId, variant, first } = resolve(item);
        return {
          promptId,
          source: item.source,
          key: item.key,
          conversationId: item.conversationId === null ? null : wellFormed(item.conversationId),
          conversationTitle: item.conversationTitle === null ? null : wellFormed(item.conversationTitle),
          model: item.model === null ? null : wellFormed(item.model),
          at: item.createdAt?.toISOString() ?? null,
          position: item.position,
          active: item.activeBranch ?? true,
          variant: variant ? wellFormed(item.text) : null,
          first,
        };
      });
      const inserted = await rows<{ promptId: string; isFirst: boolean }>(
        tx,
        sql`insert into prompt_occurrences (user_id, prompt_id, import_file_id, source, occurrence_key, conversation_id, conversation_title, model, occurred_at, position, active_branch, variant_text, is_first)
            select ${this.userId}::uuid, r."promptId", ${this.target.fileId}::uuid, r.source, r.key, r."conversationId", r."conversationTitle", r.model, r.at, r.position, r.active, r.variant, r.first
            from json_to_recordset(${JSON.stringify(occurrenceRows)}::json)
              as r("promptId" uuid, source text, key text, "conversationId" text, "conversationTitle" text, model text, at timestamptz, position int, active boolean, variant text, first boolean)
            on conflict do nothing
            returning prompt_id as "promptId", is_first as "isFirst"`,
      );
      const perPrompt = new Map<string, number>();
      for (const row of inserted) {
        perPrompt.set(row.promptId, (perPrompt.get(row.promptId) ?? 0) + 1);
        if (row.isFirst) result.created++;
        else result.folded++;
      }
      result.alreadyImported += kept.length - inserted.length;
      // New prompts already count their expected occurrences; only differences are written. One statement
      // for all of them: ids and increments as parallel arrays.
      for (const [item, id] of createdIds) perPrompt.set(id, (perPrompt.get(id) ?? 0) - (expectedUses.get(item) ?? 0));
      const changed = [...perPrompt].filter(([, n]) => n !== 0);
      if (changed.length > 0) {
        await tx.execute(sql`
          update prompts set use_count = use_count + u.n
          from (select unnest(${`{${changed.map(([id]) => id).join(",")}}`}::uuid[]) as id, unnest(${`{${changed.map(([, n]) => n).join(",")}}`}::int[]) as n) u
          where prompts.id = u.id and prompts.user_id = ${this.userId}`);
      }
      return result;
    });
    // Committed: this batch's signatures become candidates for the next ones.
    if (this.own) {
      for (const { promptId, fingerprint, signature } of stored) this.own.add({ promptId, fingerprint }, signature);
      if (this.own.size >= this.ownSignaturesInMemory) {
        this.own = undefined;
        this.nearSource = "database";
      }
    }
    return result;
  }

  /**
   * For each probe, the stored signatures sharing enough bands to possibly reach the threshold, with their
   * MinHash, in the order of their fingerprints, from the library's index: one index scan for the whole batch
   * (each probe's keys but its most common ones) finds the stored signatures sharing a key with some probe; the
   * bands each (probe, signature) pair shares are then counted here, against all of the probe's keys, and only
   * the pairs that can reach the threshold fetch their MinHash. (Counting in SQL, an unnest-join-group of every
   * candidate's bands, cost more than the index scan itself.)
   */
  private async databaseCandidates(tx: Database, probes: Item[]): Promise<Map<string, Candidate<string>[]>> {
    const known = new Map<string, Candidate<string>[]>(); // by fingerprint
    if (probes.length === 0) return known;
    this.lookups += probes.length;
    const lookup = new Set<number>();
    for (const item of probes) for (const band of this.lookupKeys(item.signature!.bands)) lookup.add(band);
    const probesByBand = new Map<number, number[]>();
    probes.forEach((item, i) => {
      for (const band of item.signature!.bands) {
        const list = probesByBand.get(band);
        if (list) list.push(i);
        else probesByBand.set(band, [i]);
      }
    });
    // The planner must use the bands index here: a scan of the table would test every row against
    // thousands of keys. Postgres has no hints; this setting lasts until it is reset below.
    // Bands come back as one comma-separated string per row: thousands of rows a batch, and the drivers'
    // array parsers cost more than split().
    await tx.execute(sql`set local enable_seqscan = off`);
    const candidates = await rows<{ promptId: string; bands: string }>(
      tx,
      sql`select s.prompt_id as "promptId", array_to_string(s.bands, ',') as bands from prompt_signatures s
          where (${overlapsAny(sql`s.bands`, [...lookup])}) and (s.user_id = ${this.userId}) is true`,
    );
    await tx.execute(sql`set local enable_seqscan to default`);
    const pairs: { i: number; promptId: string }[] = [];
    const shared = new Map<number, number>();
    for (const candidate of candidates) {
      shared.clear();
      for (const band of candidate.bands.split(",")) for (const i of probesByBand.get(Number(band)) ?? []) shared.set(i, (shared.get(i) ?? 0) + 1);
      for (const [i, n] of shared) if (n >= MIN_SHARED_BANDS) pairs.push({ i, promptId: candidate.promptId });
    }
    const minhashes = new Map<string, number[]>();
    const fingerprints = new Map<string, string>();
    if (pairs.length > 0) {
      for (const row of await rows<{ promptId: string; minhash: (string | number)[] | null; fingerprint: string | null }>(
        tx,
        sql`select m.id as "promptId", (select s.minhash from prompt_signatures s where s.prompt_id = m.id) as minhash,
              (select p.fingerprint from prompts p where p.id = m.id) as fingerprint
            from unnest(${`{${[...new Set(pairs.map((p) => p.promptId))].join(",")}}`}::uuid[]) as m(id)`,
      )) {
        if (row.minhash && row.fingerprint) {
          minhashes.set(row.promptId, row.minhash.map(Number));
          fingerprints.set(row.promptId, row.fingerprint);
        }
      }
    }
    // Each probe's candidates in the order of their text's fingerprint: equally similar candidates are
    // decided by content, not by random ids, so every run over the same library decides the same way.
    const order = (id: string) => fingerprints.get(id) ?? "";
    pairs.sort((a, b) => a.i - b.i || compare(order(a.promptId), order(b.promptId)));
    for (const { i, promptId } of pairs) {
      const minhash = minhashes.get(promptId);
      if (!minhash) continue; // deleted since (its prompt went with it)
      const fingerprint = probes[i]!.fingerprint;
      const list = known.get(fingerprint) ?? [];
      list.push({ ref: promptId, minhash });
      known.set(fingerprint, list);
    }
    return known;
  }

  /** The same from this writer's own signatures in memory (replacing whatever `known` held for the probes). */
  private ownCandidates(probes: Item[], known: Map<string, Candidate<string>[]>): void {
    const own = this.own!;
    for (const item of probes) {
      const found = own.candidates(item.signature!).filter((index) => !this.forgotten.has(own.refs[index]!.promptId));
      if (found.length === 0) {
        known.delete(item.fingerprint);
        continue;
      }
      found.sort((a, b) => compare(own.refs[a]!.fingerprint, own.refs[b]!.fingerprint));
      known.set(
        item.fingerprint,
        found.map((index) => ({ ref: own.refs[index]!.promptId, minhash: own.minhash(index) })),
      );
    }
  }

  /** The user's prompts with these fingerprints. */
  private async promptsByFingerprint(tx: Database, fingerprints: string[]): Promise<{ id: string; fingerprint: string }[]> {
    const found = await rows<{ id: string | null; fingerprint: string }>(
      tx,
      sql`select f.fingerprint, (select p.id from prompts p where p.user_id = ${this.userId} and p.fingerprint = f.fingerprint) as id
          from unnest(${textArray(fingerprints)}::text[]) as f(fingerprint)`,
    );
    return found.filter((r): r is { id: string; fingerprint: string } => r.id !== null);
  }

  /** A signature's band keys minus its MIN_SHARED_BANDS − 1 most common ones (see LOAD_BAND_COUNTS_AFTER). */
  private lookupKeys(bands: number[]): number[] {
    const drop = Math.min(MIN_SHARED_BANDS - 1, bands.length - 1);
    if (drop <= 0) return bands;
    const order = bands.map((band, i) => ({ band, i, n: this.bandCounts.get(band) ?? 0 }));
    order.sort((a, b) => b.n - a.n || a.i - b.i);
    const dropped = new Set(order.slice(0, drop).map((o) => o.i));
    return bands.filter((_, i) => !dropped.has(i));
  }

  /** Band key counts of the user's stored signatures (keys seen more than once; the rest count as rare). */
  private async loadBandCounts(): Promise<void> {
    this.bandCountsLoaded = true;
    this.bandCounts.clear();
    for (const row of await rows<{ band: string | number; n: number }>(
      this.db,
      sql`select b as band, count(*)::int as n from prompt_signatures s, unnest(s.bands) b where s.user_id = ${this.userId} group by b having count(*) > 1`,
    )) {
      this.bandCounts.set(Number(row.band), row.n);
    }
  }
}

type Decided = { decisions: Map<Item, Decision>; creating: Item[]; pendingByFingerprint: Map<string, Item> };

/**
 * Where each prompt goes, in file order: an exact copy of a library prompt or of one created earlier in the
 * batch, else the most similar near-duplicate in the library (`known`, by fingerprint) or earlier in the batch,
 * else a new prompt, which becomes a candidate for the prompts after it.
 */
function decide(fresh: Item[], byFingerprint: Map<string, string>, known: Map<string, Candidate<string>[]>, signatureOf: (item: Item) => Signature | null): Decided {
  const decisions = new Map<Item, Decision>();
  const creating: Item[] = [];
  const pendingByFingerprint = new Map<string, Item>();
  const pendingNear = new BandIndex<Item>(); // the new prompts of this batch so far
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
    const sig = signatureOf(item);
    if (sig) {
      const inLibrary = bestMatch(sig, known.get(item.fingerprint) ?? []);
      const inBatch = inLibrary ? undefined : bestMatch(sig, pendingNear.candidates(sig).map((index) => ({ ref: pendingNear.refs[index]!, minhash: pendingNear.minhash(index) })));
      if (inLibrary) {
        decisions.set(item, { kind: "existing", promptId: inLibrary, variant: true });
        continue;
      }
      if (inBatch) {
        decisions.set(item, { kind: "pending", item: inBatch, variant: true });
        continue;
      }
      pendingNear.add(item, sig);
    }
    decisions.set(item, { kind: "new" });
    pendingByFingerprint.set(item.fingerprint, item);
    creating.push(item);
  }
  return { decisions, creating, pendingByFingerprint };
}

/**
 * Signatures indexed by band key, for near-duplicate lookups without the database: the prompts created earlier
 * in a batch, and a writer's own stored signatures (see ImportWriter.nearSource). A multimap from band key to
 * signature in typed arrays (open addressing, at most half full: 24–48 bytes per band key, 16 keys a
 * signature), the MinHash values in one Int32Array (256 bytes a signature), and each signature's `ref`.
 */
class BandIndex<T> {
  private keys = new Float64Array(1 << 12);
  /** Signature index + 1 per slot; 0 is an empty slot. */
  private slots = new Int32Array(1 << 12);
  private slotsUsed = 0;
  private minhashes = new Int32Array(SIGNATURE_SIZE * 256);
  readonly refs: T[] = [];

  get size(): number {
    return this.refs.length;
  }

  add(ref: T, sig: Signature): void {
    const index = this.refs.length;
    this.refs.push(ref);
    if ((index + 1) * SIGNATURE_SIZE > this.minhashes.length) {
      const bigger = new Int32Array(this.minhashes.length * 2);
      bigger.set(this.minhashes);
      this.minhashes = bigger;
    }
    this.minhashes.set(sig.minhash, index * SIGNATURE_SIZE);
    for (const band of sig.bands) this.insert(band, index + 1);
  }

  minhash(index: number): Int32Array {
    return this.minhashes.subarray(index * SIGNATURE_SIZE, (index + 1) * SIGNATURE_SIZE);
  }

  /** Indices of the signatures sharing at least MIN_SHARED_BANDS bands with `sig` (the only ones that can match), in the order added. */
  candidates(sig: Signature): number[] {
    const shared = new Map<number, number>();
    const mask = this.keys.length - 1;
    for (const band of sig.bands) {
      for (let slot = slotOf(band) & mask; this.slots[slot] !== 0; slot = (slot + 1) & mask) {
        if (this.keys[slot] !== band) continue;
        const index = this.slots[slot]! - 1;
        shared.set(index, (shared.get(index) ?? 0) + 1);
      }
    }
    const out: number[] = [];
    for (const [index, n] of shared) if (n >= MIN_SHARED_BANDS) out.push(index);
    return out.sort((x, y) => x - y);
  }

  private insert(key: number, value: number): void {
    if ((this.slotsUsed + 1) * 2 > this.keys.length) this.resize(this.keys.length * 2);
    const mask = this.keys.length - 1;
    let slot = slotOf(key) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.keys[slot] = key;
    this.slots[slot] = value;
    this.slotsUsed++;
  }

  private resize(size: number): void {
    const { keys, slots } = this;
    this.keys = new Float64Array(size);
    this.slots = new Int32Array(size);
    this.slotsUsed = 0;
    for (let slot = 0; slot < keys.length; slot++) if (slots[slot] !== 0) this.insert(keys[slot]!, slots[slot]!);
  }
}

/** A band key's slot hash (keys are band number × 2³² + a 32-bit hash, below 2³⁷). */
function slotOf(key: number): number {
  let h = (key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The most similar candidate at or above the threshold; the first one on ties. */
function bestMatch<T>(sig: Signature, candidates: Candidate<T>[]): T | undefined {
  let best: { ref: T; score: number } | undefined;
  for (const candidate of candidates) {
    const score = similarity(sig.minhash, candidate.minhash);
    if (score >= NEAR_DUPLICATE_THRESHOLD && (!best || score > best.score)) best = { ref: candidate.ref, score };
  }
  return best?.ref;
}

/**
 * How many band keys one GIN scan gets: a scan's cost grows with its keys × the rows it returns (each row found
 * is checked against every key of the scan), so thousands of keys in one `&&` cost far more than the same keys
 * in small scans OR-ed together (one bitmap, the same rows).
 */
const KEYS_PER_SCAN = 64;

/** `column && keys`, as an OR of overlaps with KEYS_PER_SCAN keys each (the same rows, see KEYS_PER_SCAN). */
function overlapsAny(column: SQL, keys: number[]): SQL {
  const parts: SQL[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_SCAN) parts.push(sql`${column} && ${`{${keys.slice(i, i + KEYS_PER_SCAN).join(",")}}`}::bigint[]`);
  return parts.length > 0 ? sql.join(parts, sql` or `) : sql`false`;
}

// Lookups by key (occurrence keys, fingerprints) are written as one scalar subquery per key, on the (user_id, key)
// unique index: with `key = any(array)` (or EXISTS, which may become a hashed subplan) the planner may read all
// of the user's rows instead whenever its statistics underestimate them (during a large import they always
// do), and every batch then costs the whole library.
async function rows<T>(db: Database, query: SQL): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A Postgres text[] literal. */
function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, "\\$&")}"`).join(",")}}`;
}

// Postgres keeps UTF-8: a lone surrogate is stored as U+FFFD, as the drivers encode it (JSON would refuse it).
function wellFormed(text: string): string {
  return text.isWellFormed() ? text : text.toWellFormed();
}

function wellFormedOr(text: string | null): string | undefined {
  return text === null || text === undefined ? undefined : wellFormed(text);
}
