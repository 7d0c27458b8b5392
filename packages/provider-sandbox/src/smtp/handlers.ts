import { randomUUID } from 'node:crypto';
import type {
  SMTPServerAddress,
  SMTPServerDataStream,
  SMTPServerOptions,
  SMTPServerSession,
} from 'smtp-server';
import type { FaultRegistry, InjectedFailure } from '../faults';
import { SMTP_AUTH_REQUIRED, smtpCatalogError, smtpErrorPhase } from '../provider-errors/smtp';
import { recordRequest } from '../routes/common';
import type { MessageStore } from '../store';
import { readMail } from './message';
import type { MailFields } from './message';

/** What the SMTP server needs of the sandbox. */
export interface SmtpContext {
  store: MessageStore;
  faults: FaultRegistry;
  sleep: (ms: number) => Promise<void>;
  /** Messages larger than this are refused with 552 once DATA is in. */
  maxMessageBytes: number;
  /** Told of a handler's unexpected failure (answered 451) and of connection errors. */
  onError: (err: unknown) => void;
}

/** An error smtp-server answers with its `responseCode` and message. */
type SmtpReply = Error & { responseCode: number };

function smtpReply(code: number, text: string): SmtpReply {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Failures decided before the command that answers them, for the transaction in progress. */
interface Transaction {
  /** A provider-wide 550 decided at MAIL FROM: every RCPT TO is refused with it. */
  rcptFailure: InjectedFailure | null;
  /** A 451 or 552 decided at MAIL FROM or RCPT TO, answered once the message is in. */
  dataFailure: InjectedFailure | null;
}

type Handlers = Required<Pick<SMTPServerOptions, 'onAuth' | 'onMailFrom' | 'onRcptTo' | 'onData'>>;

function mailFromOf(session: SMTPServerSession): string | undefined {
  const { mailFrom } = session.envelope;
  return mailFrom === false || mailFrom.address === '' ? undefined : mailFrom.address;
}

/** The message as sent, up to `max` bytes: past that smtp-server flags `sizeExceeded` and it is refused. */
async function readData(stream: SMTPServerDataStream, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * The SMTP server's command handlers: each accepted message is recorded once per recipient, like
 * SendGrid's; faults are decided as the session learns what it needs. SMTP names the recipients
 * after MAIL FROM, one RCPT TO at a time, so the provider-wide spec (and its rate limit, counting
 * messages) is decided at MAIL FROM for the whole transaction, a targeted spec at the RCPT TO of an
 * address it names; each failure is answered at the command its reply belongs to
 * (`smtpErrorPhase`), or later when decided after it. AUTH is refused only by a provider-wide 535.
 */
export function smtpHandlers(ctx: SmtpContext): Handlers {
  const transactions = new WeakMap<SMTPServerSession, Transaction>();

  /** Records the refusal, once per recipient (once with `to: ''` before any), and returns the reply. */
  const refuse = (
    recipients: readonly string[],
    fields: Partial<MailFields>,
    code: number,
    text: string,
  ): SmtpReply => {
    recordRequest(ctx.store, recipients, {
      body: '',
      ...fields,
      provider: 'smtp',
      providerMessageId: null,
      accepted: false,
      status: code,
    });
    return smtpReply(code, text);
  };
  const refuseWith = (
    recipients: readonly string[],
    fields: Partial<MailFields>,
    failure: InjectedFailure,
  ) => {
    const { reply, text } = smtpCatalogError(failure.code);
    return refuse(recipients, fields, reply, text);
  };

  const settle = (work: Promise<SmtpReply | null>, callback: (err?: Error | null) => void): void => {
    work.then(
      (reply) => callback(reply),
      (err: unknown) => {
        ctx.onError(err);
        callback(smtpReply(451, '4.3.0 Requested action aborted: local error in processing'));
      },
    );
  };

  const mailFrom = async (address: SMTPServerAddress, session: SMTPServerSession) => {
    const { latencyMs, failure } = ctx.faults.decide('smtp', []);
    if (latencyMs > 0) await ctx.sleep(latencyMs);
    const transaction: Transaction = { rcptFailure: null, dataFailure: null };
    transactions.set(session, transaction);
    if (!failure) return null;
    const from = address.address === '' ? {} : { from: address.address };
    switch (smtpErrorPhase(failure.code)) {
      case 'AUTH':
        // A client that authenticated got past the fault at AUTH; one that did not is asked to.
        return session.user === undefined
          ? refuse([], from, SMTP_AUTH_REQUIRED.reply, SMTP_AUTH_REQUIRED.text)
          : null;
      case 'MAIL':
        return refuseWith([], from, failure);
      case 'RCPT':
        transaction.rcptFailure = failure;
        return null;
      case 'DATA':
        transaction.dataFailure = failure;
        return null;
    }
  };

  const rcptTo = async (address: SMTPServerAddress, session: SMTPServerSession) => {
    const transaction = transactions.get(session);
    // smtp-server itself answers a RCPT TO before MAIL FROM with 503.
    if (!transaction) throw new Error('RCPT TO outside a mail transaction');
    const from = { from: mailFromOf(session) };
    if (transaction.rcptFailure) return refuseWith([address.address], from, transaction.rcptFailure);
    const { latencyMs, failure } = ctx.faults.decideBy(ctx.faults.targeted('smtp', [address.address]));
    if (latencyMs > 0) await ctx.sleep(latencyMs);
    if (!failure) return null;
    if (smtpErrorPhase(failure.code) === 'DATA') {
      transaction.dataFailure ??= failure;
      return null;
    }
    // A MAIL FROM reply (421, 452) may answer RCPT TO as well (RFC 5321 §4.3.2); AUTH ones cannot
    // be targeted (parseFaultSpec).
    return refuseWith([address.address], from, failure);
  };

  const data = async (stream: SMTPServerDataStream, session: SMTPServerSession) => {
    const transaction = transactions.get(session);
    transactions.delete(session);
    const recipients = session.envelope.rcptTo.map((r) => r.address);
    const raw = await readData(stream, ctx.maxMessageBytes);
    const envelopeFrom = mailFromOf(session);
    if (stream.sizeExceeded) {
      const { reply, text } = smtpCatalogError('552');
      return refuse(recipients, { from: envelopeFrom }, reply, text);
    }
    const { fields, messageId } = await readMail(raw, envelopeFrom);
    if (transaction?.dataFailure) return refuseWith(recipients, fields, transaction.dataFailure);
    // Servers add a Message-ID to a message without one (RFC 5321 §6.4 allows it).
    const providerMessageId = messageId ?? `<${randomUUID()}@provider-sandbox.test>`;
    recordRequest(ctx.store, recipients, {
      ...fields,
      provider: 'smtp',
      providerMessageId,
      accepted: true,
      status: 250,
    });
    return null;
  };

  return {
    onAuth(auth, _session, callback) {
      const spec = ctx.faults.wide('smtp');
      const failure =
        spec?.code !== undefined && smtpErrorPhase(spec.code) === 'AUTH'
          ? ctx.faults.decideBy(spec).failure
          : null;
      if (failure) {
        const { reply, text } = smtpCatalogError(failure.code);
        callback(smtpReply(reply, text));
        return;
      }
      // Any user and password will do; smtp-server takes an empty user for a refusal.
      callback(null, { user: auth.username || '(empty)' });
    },
    onMailFrom: (address, session, callback) => settle(mailFrom(address, session), callback),
    onRcptTo: (address, session, callback) => settle(rcptTo(address, session), callback),
    onData: (stream, session, callback) => settle(data(stream, session), callback),
  };
}
