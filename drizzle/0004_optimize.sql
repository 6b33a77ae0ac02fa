ALTER TABLE "provider_keys" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "optimizations" ADD COLUMN "provider" text;--> statement-breakpoint
ALTER TABLE "optimizations" ADD COLUMN "key_source" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "optimizations" ADD COLUMN "judged" jsonb;--> statement-breakpoint
ALTER TABLE "optimizations" ADD CONSTRAINT "optimizations_key_source_check" CHECK ("optimizations"."key_source" in ('platform', 'user', 'none'));