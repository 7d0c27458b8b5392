-- Up Migration

-- Templates as issue 9 has them: an email's plain-text part may be left to be derived from its HTML;
-- push templates may carry data entries (each value a template); `strict` makes a missing variable
-- an error (the message is parked as invalid_template, never sent half-rendered).
ALTER TABLE templates
  ALTER COLUMN body DROP NOT NULL,
  ADD COLUMN data jsonb,
  ADD COLUMN strict boolean NOT NULL DEFAULT true,
  ADD CONSTRAINT templates_text_check CHECK (body IS NOT NULL OR html IS NOT NULL);

-- `generic` renders whatever title and body a request has: a request without a title still gets
-- its body sent.
UPDATE templates SET strict = false WHERE id = 'generic';

-- Down Migration

ALTER TABLE templates
  DROP CONSTRAINT templates_text_check,
  DROP COLUMN strict,
  DROP COLUMN data;
UPDATE templates SET body = '' WHERE body IS NULL;
ALTER TABLE templates ALTER COLUMN body SET NOT NULL;
