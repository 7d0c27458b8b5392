-- Up Migration

-- An email template may name its own sender and reply-to (issue 10); the email dispatcher's
-- SENDGRID_FROM_EMAIL / SENDGRID_FROM_NAME apply otherwise. Not templated: fixed per version.
ALTER TABLE templates
  ADD COLUMN from_email text,
  ADD COLUMN from_name text,
  ADD COLUMN reply_to text,
  ADD CONSTRAINT templates_sender_check
    CHECK (channel = 'EMAIL' OR (from_email IS NULL AND from_name IS NULL AND reply_to IS NULL));

-- Down Migration

ALTER TABLE templates
  DROP CONSTRAINT templates_sender_check,
  DROP COLUMN reply_to,
  DROP COLUMN from_name,
  DROP COLUMN from_email;
