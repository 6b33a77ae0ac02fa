-- A saved version is history: it can be deleted with its prompt, never edited.
CREATE OR REPLACE FUNCTION prompt_versions_refuse_update() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'prompt versions are immutable (version % of prompt %)', OLD.number, OLD.prompt_id
    USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER prompt_versions_immutable BEFORE UPDATE ON prompt_versions
  FOR EACH ROW EXECUTE FUNCTION prompt_versions_refuse_update();
