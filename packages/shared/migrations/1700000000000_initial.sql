-- Up Migration

CREATE TABLE users (
  id          text PRIMARY KEY,
  email       text,
  phone       text,
  locale      text NOT NULL DEFAULT 'en',
  timezone    text NOT NULL DEFAULT 'UTC',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token           text NOT NULL,
  platform        text NOT NULL,
  invalidated_at  timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, token)
);
CREATE INDEX devices_token_idx ON devices (token);

-- Versioned per channel and locale; the router renders the newest version.
CREATE TABLE templates (
  id          text NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('EMAIL', 'SMS', 'PUSH')),
  locale      text NOT NULL,
  version     integer NOT NULL,
  subject     text,
  title       text,
  body        text NOT NULL,
  html        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (id, channel, locale, version)
);

CREATE TABLE api_keys (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

-- The status projection: written only by ingest's notify.status consumer.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  user_id     text,
  category    text,
  priority    text,
  created_at  timestamptz,
  first_seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notification_events (
  event_id             uuid PRIMARY KEY,
  notification_id      uuid NOT NULL,
  status               text NOT NULL,
  channel              text,
  at                   timestamptz NOT NULL,
  service              text NOT NULL,
  provider_message_id  text,
  reason               text,
  detail               jsonb,
  recorded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_events_notification_idx ON notification_events (notification_id, at);

CREATE TABLE dead_letters (
  id               bigserial PRIMARY KEY,
  source_topic     text NOT NULL,
  source_partition integer NOT NULL,
  source_offset    bigint NOT NULL,
  target_topic     text,
  notification_id  text,
  channel          text,
  message_key      bytea,
  payload          bytea,
  headers          jsonb NOT NULL DEFAULT '{}',
  reason           text NOT NULL,
  error_class      text NOT NULL,
  attempts         integer NOT NULL DEFAULT 1,
  first_error      text,
  last_error       text,
  first_failed_at  timestamptz,
  parked_at        timestamptz NOT NULL DEFAULT now(),
  replayed_at      timestamptz,
  replayed_by      text,
  UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX dead_letters_reason_idx ON dead_letters (reason, parked_at);

-- Down Migration

DROP TABLE dead_letters;
DROP TABLE notification_events;
DROP TABLE notifications;
DROP TABLE api_keys;
DROP TABLE templates;
DROP TABLE devices;
DROP TABLE users;
