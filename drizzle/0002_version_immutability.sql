-- A saved version is history: it can be deleted with its prompt, never edited. The one exception is the
-- foreign key's own ON DELETE SET NULL of author_id when the author's account is deleted: that update comes
-- from the referential-integrity trigger (trigger depth > 1) and changes nothing else.
CREATE OR REPLACE FUNCTION prompt_versions_refuse_update() RETURNS trigger AS $$
BEGIN
  IF pg_trigger_depth() > 1 AND NEW.author_id IS NULL AND OLD.author_id IS NOT NULL
     AND (to_jsonb(NEW) - 'author_id') = (to_jsonb(OLD) - 'author_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'prompt versions are immutable (version % of prompt %)', OLD.number, OLD.prompt_id
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER prompt_versions_immutable BEFORE UPDATE ON prompt_versions
  FOR EACH ROW EXECUTE FUNCTION prompt_versions_refuse_update();
