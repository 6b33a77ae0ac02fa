/** Only same-site paths are accepted as a post-sign-in destination (no open redirects). */
export function safeNext(next: string | string[] | undefined, fallback = "/library"): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : fallback;
}
