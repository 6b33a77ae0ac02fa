/**
 * Near-duplicate detection with MinHash + locality-sensitive hashing, bounded per prompt.
 *
 * A prompt is reduced to the set of its word 3-shingles; 64 seeded hash functions give a signature whose
 * agreement rate estimates the Jaccard similarity of two sets. The signature is cut into 16 bands of 4
 * values; two prompts become candidates when any band is identical (P ≈ 0.9998 at Jaccard 0.8, 0.64 at 0.5,
 * 0.02 at 0.2), and a candidate is a near-duplicate when the signatures agree on ≥ NEAR_DUPLICATE_THRESHOLD.
 * Lookups are one indexed array-overlap query per batch, whatever the library size. Prompts shorter than
 * MIN_WORDS are only de-duplicated exactly: in a few words, one changed word is a different prompt.
 */
export const SIGNATURE_SIZE = 64;
export const BANDS = 16;
const ROWS = SIGNATURE_SIZE / BANDS;
export const NEAR_DUPLICATE_THRESHOLD = 0.8;
export const MIN_WORDS = 10;

// Fixed seeds: signatures must be the same in every process and every release.
const SEEDS = Array.from({ length: SIGNATURE_SIZE }, (_, i) => (Math.imul(i + 1, 0x9e3779b1) ^ 0x85ebca6b) >>> 0);

/** murmur3's finaliser: a cheap, well-mixed 32-bit hash of (value, seed). */
function mix(value: number, seed: number): number {
  let h = (value ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type Signature = { minhash: number[]; bands: number[] };

/**
 * The fewest identical bands two signatures can share and still reach NEAR_DUPLICATE_THRESHOLD: at most
 * SIGNATURE_SIZE − ⌈threshold × SIGNATURE_SIZE⌉ positions differ, each spoils at most one band, and equal
 * values give equal band keys. Candidates sharing fewer bands can be dropped without changing any match.
 */
export const MIN_SHARED_BANDS = (() => {
  let equal = 0;
  while (equal / SIGNATURE_SIZE < NEAR_DUPLICATE_THRESHOLD) equal++;
  return Math.max(1, BANDS - (SIGNATURE_SIZE - equal));
})();

// Scratch space reused by every call (signature() is synchronous): word boundaries and shingle hashes.
let starts: Int32Array = new Int32Array(512);
let ends: Int32Array = new Int32Array(512);
let shingles: Int32Array = new Int32Array(512);
const SEEDS32 = Int32Array.from(SEEDS, (s) => s | 0);
const SIGN = -0x80000000;

/**
 * Null when the text is too short for near-duplicate matching.
 *
 * Equivalent to hashing each "w1 w2 w3" string with 32-bit FNV-1a and taking, for every seed, the minimum of
 * mix(shingle, seed) over the set of shingles — written without building the strings or the set (a repeated
 * shingle does not change a minimum), with the minima kept as int32 with the sign bit flipped (x ^ 0x80000000
 * orders like the unsigned value).
 */
export function signature(normalizedText: string): Signature | null {
  const text = normalizedText;
  const length = text.length;
  // Words as split(" ").filter(Boolean) finds them.
  let words = 0;
  for (let i = 0; i < length; ) {
    while (i < length && text.charCodeAt(i) === 0x20) i++;
    if (i >= length) break;
    const start = i;
    while (i < length && text.charCodeAt(i) !== 0x20) i++;
    if (words === starts.length) {
      starts = grow(starts);
      ends = grow(ends);
    }
    starts[words] = start;
    ends[words] = i;
    words++;
  }
  if (words < MIN_WORDS) return null;
  const count = words - 2;
  if (shingles.length < count) shingles = new Int32Array(starts.length);
  for (let w = 0; w < count; w++) {
    let h = 0x811c9dc5 | 0;
    for (let j = w; j < w + 3; j++) {
      if (j > w) h = Math.imul(h ^ 0x20, 0x01000193);
      for (let c = starts[j]!, end = ends[j]!; c < end; c++) h = Math.imul(h ^ text.charCodeAt(c), 0x01000193);
    }
    shingles[w] = h;
  }
  const signed = new Array<number>(SIGNATURE_SIZE);
  for (let k = 0; k < SIGNATURE_SIZE; k++) {
    const seed = SEEDS32[k]!;
    let least = 0x7fffffff;
    for (let w = 0; w < count; w++) {
      let h = shingles[w]! ^ seed;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      h ^= SIGN;
      if (h < least) least = h;
    }
    // Stored as signed int4 (Postgres has no unsigned type).
    signed[k] = least ^ SIGN;
  }
  const bands: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS; r++) h = mix(signed[b * ROWS + r]! >>> 0, h);
    // Band number and band hash in one int8 (< 2^37, exact in a JS number), so equal hashes of different
    // bands never collide.
    bands.push(b * 4294967296 + (h >>> 0));
  }
  return { minhash: signed, bands };
}

function grow(array: Int32Array): Int32Array {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_SIZE;
}
