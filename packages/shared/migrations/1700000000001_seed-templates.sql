-- Up Migration

-- `generic` renders the title and body given in the request data; `welcome` is the demo template.
INSERT INTO templates (id, channel, locale, version, subject, title, body, html) VALUES
  ('generic', 'EMAIL', 'en', 1, '{{title}}', NULL, '{{body}}', NULL),
  ('generic', 'SMS',   'en', 1, NULL, NULL, '{{body}}', NULL),
  ('generic', 'PUSH',  'en', 1, NULL, '{{title}}', '{{body}}', NULL),
  ('welcome', 'EMAIL', 'en', 1, 'Welcome to {{product}}, {{name}}!', NULL,
     'Hi {{name}}, your {{product}} account is ready.',
     '<p>Hi {{name}},</p><p>your <strong>{{product}}</strong> account is ready.</p>'),
  ('welcome', 'SMS',   'en', 1, NULL, NULL, 'Hi {{name}}, welcome to {{product}}!', NULL),
  ('welcome', 'PUSH',  'en', 1, NULL, 'Welcome, {{name}}', 'Your {{product}} account is ready.', NULL)
ON CONFLICT DO NOTHING;

-- Down Migration

DELETE FROM templates WHERE id IN ('generic', 'welcome') AND version = 1;
