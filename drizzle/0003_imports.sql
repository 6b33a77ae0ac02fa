CREATE TABLE "prompt_signatures" (
	"prompt_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"minhash" integer[] NOT NULL,
	"bands" bigint[] NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_files" DROP CONSTRAINT "import_files_status_check";--> statement-breakpoint
ALTER TABLE "import_files" DROP CONSTRAINT "import_files_counts_check";--> statement-breakpoint
DROP INDEX "prompts_user_fingerprint_idx";--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "upload_token_hash" text;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "parser" text;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "parser_override" text;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "bytes_read" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "processed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "ignored" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "import_files" ADD COLUMN "skip_reasons" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "import_sessions" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "prompt_occurrences" ADD COLUMN "position" integer;--> statement-breakpoint
ALTER TABLE "prompt_occurrences" ADD COLUMN "active_branch" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "prompt_occurrences" ADD COLUMN "variant_text" text;--> statement-breakpoint
ALTER TABLE "prompt_occurrences" ADD COLUMN "is_first" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "prompt_signatures" ADD CONSTRAINT "prompt_signatures_prompt_id_prompts_id_fk" FOREIGN KEY ("prompt_id") REFERENCES "public"."prompts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "prompt_signatures" ADD CONSTRAINT "prompt_signatures_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "prompt_signatures_bands_idx" ON "prompt_signatures" USING gin ("bands");--> statement-breakpoint
CREATE INDEX "prompt_signatures_user_idx" ON "prompt_signatures" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "prompts_user_fingerprint_unique" ON "prompts" USING btree ("user_id","fingerprint") WHERE "prompts"."fingerprint" is not null;--> statement-breakpoint
CREATE INDEX "prompt_occurrences_file_idx" ON "prompt_occurrences" USING btree ("import_file_id");--> statement-breakpoint
ALTER TABLE "import_files" ADD CONSTRAINT "import_files_status_check" CHECK ("import_files"."status" in ('pending', 'uploaded', 'processing', 'succeeded', 'failed', 'skipped', 'cancelled'));--> statement-breakpoint
ALTER TABLE "import_files" ADD CONSTRAINT "import_files_counts_check" CHECK ("import_files"."bytes" >= 0 and "import_files"."conversations" >= 0 and "import_files"."prompts_found" >= 0 and "import_files"."imported" >= 0 and "import_files"."duplicates" >= 0 and "import_files"."skipped" >= 0 and "import_files"."bytes_read" >= 0 and "import_files"."processed" >= 0);