import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { cert, deleteApp, initializeApp } from 'firebase-admin/app';
import type { AppOptions, Credential } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import type { Messaging } from 'firebase-admin/messaging';
import DataLoader from 'dataloader';
import { HeraldError } from '@herald/shared';
import type { ChannelMessage, ChannelSender, SendResult } from '@herald/shared';
import { classifyFcmError } from '../domain/classify-fcm-error';
import { groupByContent, pushContent } from '../domain/fcm-message';
import type { PushContent } from '../domain/fcm-message';

export interface FcmSenderOptions {
  projectId: string;
  /** A service account key (JSON); required unless `sandboxUrl` is set. */
  serviceAccountJson?: string;
  /** The provider sandbox's address in dev and tests; FCM otherwise. */
  sandboxUrl?: string;
  /** firebase-admin app name; unique by default so senders never share an app. */
  appName?: string;
  /**
   * How long a send waits for others to share its multicast call (ms). Sends of a fetched batch
   * reach the sender over a few turns of the event loop; 0 gathers only those of the same turn.
   */
  multicastWindowMs?: number;
  clock?: () => number;
  /** Hears the number of tokens of each `sendEachForMulticast` call (`herald_push_multicast_tokens`). */
  onMulticast?: (tokens: number) => void;
}

/**
 * firebase-admin always addresses https://fcm.googleapis.com, but sends through the app's
 * `httpAgent`. This agent hands it a plain TCP connection to the sandbox instead of a TLS one to
 * Google, so the SDK's request and response handling run unchanged.
 */
export class SandboxAgent extends Agent {
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(): Socket {
    return connect({ host: this.host, port: this.port });
  }
}

/** Lets the SDK authorise requests to the sandbox without a service account or Google's token endpoint. */
const sandboxCredential: Credential = {
  getAccessToken: () => Promise.resolve({ access_token: 'sandbox-token', expires_in: 3600 }),
};

function sandboxAgent(sandboxUrl: string): SandboxAgent {
  const url = new URL(sandboxUrl);
  const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return new SandboxAgent(url.hostname.replace(/^\[(.*)\]$/, '$1'), port);
}

/** V8's JSON.parse errors quote the text around the mistake, which here is a private key: say less. */
function parseServiceAccount(json: string): object {
  try {
    return JSON.parse(json) as object;
  } catch {
    throw new Error('createFcmSender: serviceAccountJson is not valid JSON');
  }
}

/** Push through FCM HTTP v1 with firebase-admin. */
export function createFcmSender(opts: FcmSenderOptions): ChannelSender {
  let options: AppOptions;
  let agent: SandboxAgent | undefined;
  if (opts.sandboxUrl !== undefined) {
    agent = sandboxAgent(opts.sandboxUrl);
    options = { projectId: opts.projectId, credential: sandboxCredential, httpAgent: agent };
  } else if (opts.serviceAccountJson !== undefined) {
    options = { projectId: opts.projectId, credential: cert(parseServiceAccount(opts.serviceAccountJson)) };
  } else {
    throw new Error('createFcmSender: serviceAccountJson is required unless sandboxUrl is set');
  }
  const app = initializeApp(options, opts.appName ?? `herald-push-${randomUUID()}`);
  const messaging = getMessaging(app);
  // In sandbox mode only: sendEach() uses HTTP/2, which ignores the agent and would reach Google;
  // over HTTP/1.1 it goes through the sandbox agent. Production keeps HTTP/2 to FCM.
  if (agent !== undefined) messaging.enableLegacyHttpTransport();

  const clock = opts.clock ?? Date.now;
  const window = opts.multicastWindowMs ?? 2;
  // Each message's value is its own group's promise: a message resolves as soon as its group's
  // call has answered, not when every group of the window has.
  const loader = new DataLoader<ChannelMessage, Promise<SendResult | HeraldError>>(
    (messages) => Promise.resolve(sendGrouped(messaging, messages, clock(), opts.onMulticast)),
    {
      cache: false,
      // sendEachForMulticast takes at most 500 tokens; groupByContent keeps to that too.
      maxBatchSize: 500,
      batchScheduleFn: (run) => setTimeout(run, window),
    },
  );

  return {
    provider: 'fcm',
    async send(message: ChannelMessage): Promise<SendResult> {
      // The value is its group's promise, which the load's own promise takes on: one await.
      const result = await loader.load(message);
      if (result instanceof HeraldError) throw result;
      return result;
    },
    async close(): Promise<void> {
      await deleteApp(app);
      agent?.destroy();
    },
  };
}

/**
 * One `sendEachForMulticast` per group of messages with the same content, each message's own
 * result in its place (a token FCM refused fails that message alone), each group's as soon as its
 * call answers.
 */
function sendGrouped(
  messaging: Messaging,
  messages: readonly ChannelMessage[],
  now: number,
  onMulticast: ((tokens: number) => void) | undefined,
): Promise<SendResult | HeraldError>[] {
  const results = new Map<ChannelMessage, Promise<SendResult | HeraldError>>();
  const sendable: { message: ChannelMessage; content: PushContent }[] = [];
  for (const message of messages) {
    const content = pushContent(message, now);
    if (content === null) {
      results.set(
        message,
        Promise.resolve(new HeraldError('malformed_payload', 'ChannelMessage.data is not a JSON object')),
      );
    } else sendable.push({ message, content });
  }
  for (const { content, items } of groupByContent(sendable, (s) => s.content)) {
    onMulticast?.(items.length);
    const call = messaging
      .sendEachForMulticast({ ...content, tokens: items.map((i) => i.message.address) })
      .then(
        (batch) =>
          items.map((_, i): SendResult | HeraldError => {
            const r = batch.responses[i];
            if (!r) return new HeraldError('unknown', 'FCM gave no result for this token');
            return r.success ? { providerMessageId: r.messageId ?? '' } : toHeraldError(r.error);
          }),
        // The call as a whole failed (refused before sending): every message of the group shares it.
        (err: unknown) => items.map(() => toHeraldError(err)),
      );
    items.forEach((item, i) =>
      results.set(
        item.message,
        call.then((all) => all[i] ?? new HeraldError('unknown', 'FCM gave no result for this token')),
      ),
    );
  }
  return messages.map(
    (m) =>
      results.get(m) ?? Promise.resolve(new HeraldError('unknown', 'FCM gave no result for this message')),
  );
}

/**
 * firebase-admin reports `code` (`messaging/...`, `app/...`) and a message, never the HTTP status.
 * The message is not copied: FCM may quote the token, and `messaging/unknown-error` embeds the raw answer.
 */
function toHeraldError(err: unknown): HeraldError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : undefined;
  const heraldCode = classifyFcmError({ code, message });
  // The SDK's code is FCM's answer in its words (`messaging/registration-token-not-registered` is
  // UNREGISTERED); a code that is not `messaging/…` came from the network or from us.
  const providerCode = code?.startsWith('messaging/') ? `fcm:${code.slice('messaging/'.length)}` : undefined;
  return new HeraldError(
    heraldCode,
    `FCM send failed (${code ?? 'no error code'})`,
    providerCode ? { providerCode } : {},
  );
}
