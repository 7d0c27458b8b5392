import { HeraldError, localeChain, renderTemplate, templateProblem } from '@herald/shared';
import type { Template, TemplateContent } from '@herald/shared';

const email: Template = {
  id: 'welcome',
  channel: 'EMAIL',
  locale: 'en',
  version: 1,
  subject: 'Welcome, {{name}}',
  title: null,
  body: 'Hi {{name}} & co',
  html: '<p>Hi {{name}}</p>',
  data: null,
  strict: false,
  fromEmail: null,
  fromName: null,
  replyTo: null,
};

function failure(fn: () => unknown): HeraldError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HeraldError) return e;
    throw e;
  }
  throw new Error('expected a HeraldError');
}

describe('renderTemplate', () => {
  it('renders every part; only HTML is escaped', () => {
    expect(renderTemplate(email, { name: '<Ada>' })).toEqual({
      subject: 'Welcome, <Ada>',
      title: null,
      body: 'Hi <Ada> & co',
      html: '<p>Hi &lt;Ada&gt;</p>',
      data: null,
      fromEmail: null,
      fromName: null,
      replyTo: null,
    });
  });

  it('derives the plain-text part of an email from its HTML when it has none', () => {
    const htmlOnly = {
      ...email,
      body: null,
      html: '<h1>Hi {{name}}</h1><p>Your <b>order</b> shipped.</p><p><a href="https://x.test/o/1">Track it</a></p>',
    };
    const out = renderTemplate(htmlOnly, { name: 'Ada' });
    expect(out.body).toContain('HI ADA');
    expect(out.body).toContain('Your order shipped.');
    expect(out.body).toContain('Track it [https://x.test/o/1]');
    expect(out.body).not.toContain('<');
  });

  it('renders a push template’s title, body and data entries', () => {
    const push: Template = {
      ...email,
      channel: 'PUSH',
      subject: null,
      html: null,
      title: '{{who}} replied',
      body: '{{text}}',
      data: { thread: '{{threadId}}', kind: 'reply' },
    };
    expect(renderTemplate(push, { who: 'Bob', text: 'hi', threadId: 't-9' })).toEqual({
      subject: null,
      title: 'Bob replied',
      body: 'hi',
      html: null,
      data: { thread: 't-9', kind: 'reply' },
      fromEmail: null,
      fromName: null,
      replyTo: null,
    });
  });

  it('renders a missing variable as empty when not strict, and refuses it when strict', () => {
    expect(renderTemplate(email, {}).subject).toBe('Welcome, ');
    const err = failure(() => renderTemplate({ ...email, strict: true }, {}));
    expect(err.code).toBe('invalid_template');
    expect(err.retriable).toBe(false);
    expect(err.message).toMatch(/^template welcome v1 \(EMAIL\/en\): "name" not defined/);
    expect(renderTemplate({ ...email, strict: true }, { name: 'Ada' }).subject).toBe('Welcome, Ada');
    // What the data holds is never quoted: an address looked into stays out of the message.
    const quoted = failure(() =>
      renderTemplate(
        { ...email, strict: true, subject: '{{to.domain}}' },
        { to: 'ada@example.com', name: 'x' },
      ),
    );
    expect(quoted.message).not.toContain('ada@example.com');
  });

  it('does not reach prototype properties', () => {
    expect(renderTemplate({ ...email, body: '{{constructor.name}}' }, {}).body).toBe('');
  });

  it("passes the template's sender and reply-to through, untemplated", () => {
    const r = renderTemplate(
      { ...email, fromEmail: 'news@acme.test', fromName: 'Acme {{name}}', replyTo: 'help@acme.test' },
      { name: 'x' },
    );
    expect(r).toEqual(
      expect.objectContaining({
        fromEmail: 'news@acme.test',
        fromName: 'Acme {{name}}',
        replyTo: 'help@acme.test',
      }),
    );
  });

  it('reports a broken template as invalid_template, naming it', () => {
    const err = failure(() => renderTemplate({ ...email, body: 'Hi {{#if name}}' }, { name: 'x' }));
    expect(err.code).toBe('invalid_template');
    expect(err.message).toContain('welcome v1 (EMAIL/en)');
  });
});

describe('templateProblem', () => {
  const content = (over: Partial<TemplateContent>): TemplateContent => ({
    subject: null,
    title: null,
    body: null,
    html: null,
    data: null,
    strict: true,
    fromEmail: null,
    fromName: null,
    replyTo: null,
    ...over,
  });

  it('accepts what each channel needs', () => {
    expect(templateProblem('EMAIL', content({ subject: 'S', html: '<p>x</p>' }))).toBeNull();
    expect(
      templateProblem(
        'EMAIL',
        content({
          subject: 'S',
          body: 'b',
          fromEmail: 'news@acme.test',
          fromName: 'Acme',
          replyTo: 'help@acme.test',
        }),
      ),
    ).toBeNull();
    expect(templateProblem('SMS', content({ body: 'b' }))).toBeNull();
    expect(templateProblem('PUSH', content({ title: 't', body: 'b', data: { k: '{{v}}' } }))).toBeNull();
  });

  it.each([
    ['EMAIL', { body: 'b' }, 'subject', 'subject: required for email'],
    ['EMAIL', { subject: 's' }, 'body', 'body: required for email without html'],
    ['EMAIL', { subject: 's', body: 'b', title: 't' }, 'title', 'title: is for push, not email'],
    ['SMS', { body: 'b', subject: 's' }, 'subject', 'subject: an sms template has a body only'],
    ['PUSH', { title: 't' }, 'body', 'body: required for push'],
    ['PUSH', { body: 'b', html: '<p/>' }, 'html', 'html: is for email, not push'],
    ['SMS', { body: 'b', fromEmail: 'a@b.co' }, 'fromEmail', 'fromEmail: an sms template has a body only'],
    ['PUSH', { body: 'b', replyTo: 'a@b.co' }, 'replyTo', 'replyTo: is for email, not push'],
    ['EMAIL', { subject: 's', body: 'b', fromName: 'Acme' }, 'fromName', 'fromName: needs fromEmail'],
  ] as const)('refuses a %s template %j (%s)', (channel, over, field, message) => {
    expect(templateProblem(channel, content(over))).toEqual({ field, message });
  });

  it('names the part that does not compile', () => {
    expect(templateProblem('SMS', content({ body: 'Hi {{#if name}}' }))).toEqual({
      field: 'body',
      message: expect.stringMatching(/^body: does not compile: /) as string,
    });
    expect(templateProblem('PUSH', content({ body: 'b', data: { k: '{{/each}}' } }))?.field).toBe('data.k');
  });
});

describe('localeChain', () => {
  it('goes from the exact locale to its language to en', () => {
    expect(localeChain('pt-BR')).toEqual(['pt-BR', 'pt', 'en']);
    expect(localeChain('fr')).toEqual(['fr', 'en']);
    expect(localeChain('en-GB')).toEqual(['en-GB', 'en']);
    expect(localeChain('en')).toEqual(['en']);
  });
});
