import Handlebars from 'handlebars';
import { HeraldError } from '@herald/shared/domain';

/** One channel's template, as stored (versioned per channel and locale). */
export interface Template {
  id: string;
  channel: 'EMAIL' | 'SMS' | 'PUSH';
  locale: string;
  version: number;
  subject: string | null;
  title: string | null;
  body: string;
  html: string | null;
}

export interface Rendered {
  subject: string | null;
  title: string | null;
  body: string;
  html: string | null;
}

const hbs = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function compile(source: string, escape: boolean): Handlebars.TemplateDelegate {
  const key = `${escape ? 'h' : 't'}:${source}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = hbs.compile(source, { noEscape: !escape, strict: false });
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * Renders each part with the request's variables. Text parts are not HTML-escaped; the HTML part
 * is. A template that does not compile is `invalid_template` (permanent).
 */
export function render(template: Template, data: Record<string, unknown>): Rendered {
  const part = (source: string | null, escape: boolean): string | null => {
    if (source === null) return null;
    try {
      return compile(source, escape)(data, { allowProtoPropertiesByDefault: false });
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new HeraldError(
        'invalid_template',
        `template ${template.id} v${template.version} (${template.channel}/${template.locale}): ${reason}`,
      );
    }
  };
  return {
    subject: part(template.subject, false),
    title: part(template.title, false),
    body: part(template.body, false) ?? '',
    html: part(template.html, true),
  };
}
