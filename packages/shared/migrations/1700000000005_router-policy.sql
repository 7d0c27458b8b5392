-- Up Migration

-- What the router decides with (DESIGN.md §5, issue 9): consent, quiet hours, categories and
-- routing rules. Everything keyed by user is read per fetched batch in one query per table.

-- A user's opt-outs: no row is "yes"; a row with enabled = false is an opt-out of one category on
-- one channel.
CREATE TABLE preferences (
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  category    text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH')),
  enabled     boolean NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, category, channel)
);

-- Unsubscribed from everything but required categories (the API's `unsubscribed`, one-click
-- unsubscribe).
ALTER TABLE users ADD COLUMN unsubscribed_at timestamptz;

-- Quiet hours per user: `rules` is [{ "days": ["mon", …], "start": "22:00", "end": "07:00" }];
-- `timezone` null means the user's own.
CREATE TABLE quiet_hours (
  user_id     text PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  timezone    text,
  rules       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Addresses that cannot receive: hard bounces, invalid numbers, dead tokens. By channel and the
-- address's SHA-256 (hex), so the table is no list of addresses.
CREATE TABLE suppressed_addresses (
  channel       text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH')),
  address_hash  text NOT NULL,
  reason        text NOT NULL,
  source        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, address_hash)
);

-- A category's settings: required categories (security, legal) ignore opt-outs and the global
-- unsubscribe; `caps` are its own frequency caps, [{ "channel": "SMS", "limit": 1, "windowSeconds": 86400 }].
-- A category without a row is optional and has no caps of its own.
CREATE TABLE categories (
  id          text PRIMARY KEY,
  required    boolean NOT NULL DEFAULT false,
  caps        jsonb NOT NULL DEFAULT '[]',
  updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO categories (id, required) VALUES ('security', true), ('legal', true);

-- Routing rules for requests that name no channels, evaluated in `position` order.
CREATE TABLE routing_rules (
  id               text PRIMARY KEY,
  position         integer NOT NULL,
  enabled          boolean NOT NULL DEFAULT true,
  match            jsonb NOT NULL DEFAULT '{}',
  channels         text[] NOT NULL,
  stop_processing  boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);

-- Down Migration

DROP TABLE routing_rules;
DROP TABLE categories;
DROP TABLE suppressed_addresses;
DROP TABLE quiet_hours;
ALTER TABLE users DROP COLUMN unsubscribed_at;
DROP TABLE preferences;
