-- The SHA-256 of each definition's text when it was last applied.
SELECT name, sha256 FROM schema_definition
