// Tests never read a developer's .env: every optional service starts off, and each test turns on what it needs.
for (const key of ["CLERK_SECRET_KEY", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "CLERK_WEBHOOK_SIGNING_SECRET", "OPENAI_API_KEY", "STRIPE_SECRET_KEY", "BLOB_READ_WRITE_TOKEN", "DATABASE_URL"]) {
  delete process.env[key];
}
