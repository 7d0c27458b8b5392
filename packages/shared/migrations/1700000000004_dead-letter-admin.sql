-- Up Migration

-- The dead-letter admin API (DESIGN.md §4): a letter is `parked` until an operator replays it
-- (produced again to its target topic) or discards it (given up, with a reason). Only a parked
-- letter may change, so each letter is replayed or discarded at most once.
ALTER TABLE dead_letters
  ADD COLUMN status         text NOT NULL DEFAULT 'parked',
  ADD COLUMN replay_count   integer NOT NULL DEFAULT 0,
  ADD COLUMN replay_job_id  uuid,
  ADD COLUMN discarded_at   timestamptz,
  ADD COLUMN discarded_by   text,
  ADD COLUMN discard_reason text,
  ADD CONSTRAINT dead_letters_status_check CHECK (status IN ('parked', 'replayed', 'discarded'));

-- No replay API existed before this migration, but a letter marked by hand stays marked.
UPDATE dead_letters SET status = 'replayed', replay_count = 1 WHERE replayed_at IS NOT NULL;

-- Lists are newest first (id DESC) within a status, optionally narrowed by channel or parked_at;
-- (status, parked_at) also finds the oldest parked letter (herald_parked_oldest_age_seconds).
CREATE INDEX dead_letters_status_idx ON dead_letters (status, id);
CREATE INDEX dead_letters_status_channel_idx ON dead_letters (status, channel, id);
CREATE INDEX dead_letters_status_parked_at_idx ON dead_letters (status, parked_at);
CREATE INDEX dead_letters_notification_idx ON dead_letters (notification_id);

-- Bulk replays: one row a job, its progress written with each chunk, so a restarted dlq resumes
-- after the last chunk done (`last_id`) and never replays a letter twice.
CREATE TABLE dead_letter_replays (
  id           uuid PRIMARY KEY,
  filter       jsonb,
  ids          jsonb,
  status       text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  count        integer NOT NULL,
  replayed     integer NOT NULL DEFAULT 0,
  skipped      integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  -- The job replays letters with ids in (last_id, max_id]: those parked when it was created.
  last_id      bigint NOT NULL DEFAULT 0,
  max_id       bigint NOT NULL,
  -- The API key that asked for it: its name and id (audit; replayed_by names both).
  created_by   text NOT NULL,
  created_by_key text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  last_error   text,
  CHECK ((filter IS NULL) <> (ids IS NULL))
);
CREATE INDEX dead_letter_replays_running_idx ON dead_letter_replays (created_at) WHERE status = 'running';

-- Down Migration

DROP TABLE dead_letter_replays;
DROP INDEX dead_letters_notification_idx;
DROP INDEX dead_letters_status_parked_at_idx;
DROP INDEX dead_letters_status_channel_idx;
DROP INDEX dead_letters_status_idx;
ALTER TABLE dead_letters
  DROP CONSTRAINT dead_letters_status_check,
  DROP COLUMN discard_reason,
  DROP COLUMN discarded_by,
  DROP COLUMN discarded_at,
  DROP COLUMN replay_job_id,
  DROP COLUMN replay_count,
  DROP COLUMN status;
