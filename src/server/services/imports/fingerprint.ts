import { createHash } from "node:crypto";

/**
 * Exact de-duplication key: the same words, ignoring case, Unicode compatibility forms and spacing, are the
 * same prompt ("Explain  this\ncode" = "explain this code").
 */
export function normalizePromptText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

export function promptFingerprint(text: string): string {
  return fingerprintOfNormalized(normalizePromptText(text));
}

/** promptFingerprint of a text already passed through normalizePromptText. */
export function fingerprintOfNormalized(normalized: string): string {
  return createHash("sha256").update(normalized).digest("base64url");
}

/**
 * Where one occurrence came from: the same message in the same export always gets the same key, so importing
 * an export again (or retrying a killed import) recognises what is already in.
 */
export function occurrenceKey(source: string, conversationId: string | null, sourceMessageId: string | null, position: number, fingerprint: string): string {
  const identity = sourceMessageId ? `m\u0000${conversationId ?? ""}\u0000${sourceMessageId}` : `p\u0000${conversationId ?? ""}\u0000${position}\u0000${fingerprint}`;
  return createHash("sha256").update(`${source}\u0000${identity}`).digest("base64url");
}
