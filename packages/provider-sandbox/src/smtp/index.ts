export { createSmtpListener } from './server';
export type { SmtpListener } from './server';
export type { SmtpContext } from './handlers';
