import { HeraldError } from '@herald/shared';
import { render } from '../../src/domain/render';
import type { Template } from '../../src/domain/render';

const email: Template = {
  id: 'welcome',
  channel: 'EMAIL',
  locale: 'en',
  version: 1,
  subject: 'Welcome, {{name}}',
  title: null,
  body: 'Hi {{name}} & co',
  html: '<p>Hi {{name}}</p>',
};

describe('render', () => {
  it('renders every part; only HTML is escaped', () => {
    expect(render(email, { name: '<Ada>' })).toEqual({
      subject: 'Welcome, <Ada>',
      title: null,
      body: 'Hi <Ada> & co',
      html: '<p>Hi &lt;Ada&gt;</p>',
    });
  });

  it('renders a missing variable as empty', () => {
    expect(render(email, {}).subject).toBe('Welcome, ');
  });

  it('does not reach prototype properties', () => {
    expect(render({ ...email, body: '{{constructor.name}}' }, {}).body).toBe('');
  });

  it('reports a broken template as invalid_template, naming it', () => {
    let err: unknown;
    try {
      render({ ...email, body: 'Hi {{#if name}}' }, { name: 'x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HeraldError);
    expect((err as HeraldError).code).toBe('invalid_template');
    expect((err as HeraldError).message).toContain('welcome v1 (EMAIL/en)');
  });
});
