-- Trigram matching for substring search on titles (and near-duplicate detection in imports).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
