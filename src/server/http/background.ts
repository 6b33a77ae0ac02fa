/**
 * Work that continues after the response (an import's processing). Inside a Next.js request it is handed
 * to `after()`, which keeps a serverless function alive until it finishes; elsewhere (tests, scripts) it
 * simply runs on. Failures are logged: the work records its own outcome in the database.
 */
export async function runInBackground(label: string, task: () => Promise<unknown>): Promise<void> {
  const run = () =>
    task().catch((error) => {
      console.error(`[background] ${label} failed`, error);
    });
  try {
    const { after } = await import("next/server");
    after(run);
  } catch {
    // Not inside a request scope.
    void run();
  }
}
