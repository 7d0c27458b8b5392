-- Up Migration

-- A misspelt scope would otherwise be stored and silently grant nothing.
ALTER TABLE api_keys ADD CONSTRAINT api_keys_known_scopes CHECK (scopes <@ ARRAY['send', 'admin']::text[]);

-- Down Migration

ALTER TABLE api_keys DROP CONSTRAINT api_keys_known_scopes;
