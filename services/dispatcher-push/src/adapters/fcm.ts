import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { cert, deleteApp, initializeApp } from 'firebase-admin/app';
import type { AppOptions, Credential } from 'firebase-admin/app';
import { getMessaging } from 'firebase-admin/messaging';
import type { Message } from 'firebase-admin/messaging';
import { HeraldError } from '@herald/shared';
import type { ChannelMessage, ChannelSender, SendResult } from '@herald/shared';
import { classifyFcmError } from '../domain/classify-fcm-error';
import { toFcmData } from '../domain/fcm-data';

export interface FcmSenderOptions {
  projectId: string;
  /** A service account key (JSON); required unless `sandboxUrl` is set. */
  serviceAccountJson?: string;
  /** The provider sandbox's address in dev and tests; FCM otherwise. */
  sandboxUrl?: string;
  /** firebase-admin app name; unique by default so senders never share an app. */
  appName?: string;
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
  // send() already goes over HTTP/1.1 through httpAgent; sendEach() would otherwise use HTTP/2,
  // which ignores the agent and would reach Google even in sandbox mode.
  messaging.enableLegacyHttpTransport();

  return {
    provider: 'fcm',
    async send(message: ChannelMessage): Promise<SendResult> {
      const data = toFcmData(message.data);
      if (data === null)
        throw new HeraldError('malformed_payload', 'ChannelMessage.data is not a JSON object');
      const fcmMessage: Message = {
        token: message.address,
        notification: { ...(message.title !== null ? { title: message.title } : {}), body: message.body },
        ...(Object.keys(data).length > 0 ? { data } : {}),
      };
      try {
        return { providerMessageId: await messaging.send(fcmMessage) };
      } catch (err) {
        throw toHeraldError(err);
      }
    },
    async close(): Promise<void> {
      await deleteApp(app);
      agent?.destroy();
    },
  };
}

/**
 * firebase-admin reports `code` (`messaging/...`, `app/...`) and a message, never the HTTP status.
 * The message is not copied: FCM may quote the token, and `messaging/unknown-error` embeds the raw answer.
 */
function toHeraldError(err: unknown): HeraldError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : undefined;
  return new HeraldError(classifyFcmError({ code, message }), `FCM send failed (${code ?? 'no error code'})`);
}
