import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import { HeraldError } from '../errors';
import type { Channel } from './types';

/**
 * Templates: versioned per channel and locale (DESIGN.md §5), Handlebars. Ingest compiles them at
 * save (a template that does not compile is refused with the reason); the router renders them.
 */
export interface TemplateContent {
  /** Email only. */
  subject: string | null;
  /** Push only. */
  title: string | null;
  /** The text: SMS and push bodies, the email's plain-text part (derived from `html` when absent). */
  body: string | null;
  /** Email only. */
  html: string | null;
  /** Push only: data payload entries, each value a template. */
  data: Record<string, string> | null;
  /** A variable the data lacks is an error (the message is parked, never sent half-rendered). */
  strict: boolean;
  /** Email only, not templated: the sender and reply-to; the dispatcher's own sender when null. */
  fromEmail: string | null;
  fromName: string | null;
  replyTo: string | null;
}

export interface Template extends TemplateContent {
  id: string;
  channel: Channel;
  locale: string;
  version: number;
}

export interface Rendered {
  subject: string | null;
  title: string | null;
  body: string;
  html: string | null;
  /** Push data entries, rendered; null when the template has none. */
  data: Record<string, string> | null;
  fromEmail: string | null;
  fromName: string | null;
  replyTo: string | null;
}

const hbs = Handlebars.create();
const compiled = new Map<string, Handlebars.TemplateDelegate>();
/** Bounded: templates are few, but a busy catalogue must not grow the process without end. */
const MAX_COMPILED = 5000;

function compile(source: string, escape: boolean, strict: boolean): Handlebars.TemplateDelegate {
  const key = `${escape ? 'h' : 't'}${strict ? 's' : 'l'}:${source}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = hbs.compile(source, { noEscape: !escape, strict });
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * The first line of a Handlebars error, without what it quotes of the data: strict mode says
 * `"x" not defined in <the object or value looked in>`, and a variable used as an object that is
 * not one gives a TypeError quoting the value; either may be an address.
 */
function firstLine(err: unknown): string {
  if (err instanceof TypeError)
    return 'a variable is used as an object, and the data has another kind of value there';
  const line = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
  return line.replace(/ not defined in .*$/, ' not defined');
}

/** A template refused at save: the part it is about (or `channel`), and why. */
export interface TemplateProblem {
  field: string;
  message: string;
}

const problem = (field: string, message: string): TemplateProblem => ({
  field,
  message: `${field}: ${message}`,
});

/** What a channel needs of a template, and what it must not have; null when it is fine. */
function shapeProblem(channel: Channel, t: TemplateContent): TemplateProblem | null {
  const extra = (parts: (keyof TemplateContent)[]) => parts.find((p) => t[p] !== null);
  switch (channel) {
    case 'EMAIL': {
      if (t.subject === null) return problem('subject', 'required for email');
      if (t.body === null && t.html === null) return problem('body', 'required for email without html');
      const bad = extra(['title', 'data']);
      if (bad) return problem(bad, 'is for push, not email');
      if (t.fromName !== null && t.fromEmail === null) return problem('fromName', 'needs fromEmail');
      return null;
    }
    case 'SMS': {
      if (t.body === null) return problem('body', 'required for sms');
      const bad = extra(['subject', 'html', 'title', 'data', 'fromEmail', 'fromName', 'replyTo']);
      return bad ? problem(bad, 'an sms template has a body only') : null;
    }
    case 'PUSH': {
      if (t.body === null) return problem('body', 'required for push');
      const bad = extra(['subject', 'html', 'fromEmail', 'fromName', 'replyTo']);
      return bad ? problem(bad, 'is for email, not push') : null;
    }
  }
}

/**
 * Checks a template before it is saved: the parts its channel needs, and that every part compiles
 * (Handlebars parses at compile time only when asked, so it is asked).
 */
export function templateProblem(channel: Channel, t: TemplateContent): TemplateProblem | null {
  const shape = shapeProblem(channel, t);
  if (shape) return shape;
  const parts: [string, string | null][] = [
    ['subject', t.subject],
    ['title', t.title],
    ['body', t.body],
    ['html', t.html],
    ...Object.entries(t.data ?? {}).map(([k, v]): [string, string] => [`data.${k}`, v]),
  ];
  for (const [name, source] of parts) {
    if (source === null) continue;
    try {
      hbs.precompile(source, { strict: t.strict });
    } catch (err) {
      return problem(name, `does not compile: ${firstLine(err)}`);
    }
  }
  return null;
}

/**
 * Renders each part with the request's variables. Text parts are not HTML-escaped; the HTML part
 * is. An email without a text part gets one derived from its HTML. A template that fails to
 * render (does not compile, or lacks a variable under `strict`) is `invalid_template`: permanent.
 */
export function renderTemplate(template: Template, vars: Record<string, unknown>): Rendered {
  const part = (source: string | null, escape: boolean): string | null => {
    if (source === null) return null;
    try {
      return compile(source, escape, template.strict)(vars, { allowProtoPropertiesByDefault: false });
    } catch (err) {
      throw new HeraldError(
        'invalid_template',
        `template ${template.id} v${template.version} (${template.channel}/${template.locale}): ${firstLine(err)}`,
      );
    }
  };
  const html = part(template.html, true);
  const text = part(template.body, false);
  const data = template.data
    ? Object.fromEntries(Object.entries(template.data).map(([k, v]) => [k, part(v, false) ?? '']))
    : null;
  return {
    subject: part(template.subject, false),
    title: part(template.title, false),
    body: text ?? (html !== null ? convert(html, { wordwrap: 78 }) : ''),
    html,
    data,
    fromEmail: template.fromEmail,
    fromName: template.fromName,
    replyTo: template.replyTo,
  };
}

/** The locales to look for, in order: the exact one, its language, then the default `en`. */
export function localeChain(locale: string): string[] {
  const language = locale.split('-')[0] ?? locale;
  return [...new Set([locale, language, 'en'])];
}
