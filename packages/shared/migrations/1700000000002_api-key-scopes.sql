-- Up Migration

-- `send`: the public API (notifications, users, devices). `admin`: operator APIs (dead letters).
ALTER TABLE api_keys ADD COLUMN scopes text[] NOT NULL DEFAULT '{send}';

-- Down Migration

ALTER TABLE api_keys DROP COLUMN scopes;
