import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";

// Tests never read a developer's .env: every optional service starts off, and each test turns on what it needs.
// Plans too: a PLAN_LIMITS, DEFAULT_PLAN or ADMIN_EMAILS in the shell would change what every test expects.
for (const key of [
  "CLERK_SECRET_KEY",
  "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY",
  "CLERK_WEBHOOK_SIGNING_SECRET",
  "OPENAI_API_KEY",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "STRIPE_API_URL",
  "PLAN_LIMITS",
  "DEFAULT_PLAN",
  "ADMIN_EMAILS",
  "BLOB_READ_WRITE_TOKEN",
  "DATABASE_URL",
]) {
  delete process.env[key];
}

// Files the app stores (import uploads) go to a throwaway folder of this test worker, never to the project's
// .data/. It is only a path here: storage creates the folder when something is first written.
const worker = globalThis as typeof globalThis & { __pvTestDataDir?: string };
worker.__pvTestDataDir ??= path.join(tmpdir(), `pv-test-data-${process.pid}-${randomUUID().slice(0, 8)}`);
process.env.DATA_DIR = worker.__pvTestDataDir;
