/**
 * The bad-input corpus: requests a careless or hostile client sends to every public endpoint of
 * ingest and of the dlq admin API, each with the answer a demanding user expects (status, error
 * code and, where the error is about one, the field). Generated from small tables so a new rule or
 * endpoint adds its rows in one place.
 */
import { batchCases } from './batch';
import { authCases, batchBodyCases, deadLetterCases, pathCases, queryCases, userCases } from './endpoints';
import { bodyCases, headerCases, notificationCases } from './notifications';
import type { BadCase, Expected } from './types';

export type { BadCase, Expected, Key, Target } from './types';

export function corpus(): BadCase[] {
  return [
    ...notificationCases(),
    ...bodyCases(),
    ...authCases(),
    ...pathCases(),
    ...queryCases(),
    ...deadLetterCases(),
    ...userCases(),
    ...headerCases(),
    ...batchCases(),
    ...batchBodyCases(),
  ];
}

/** Whole requests node's HTTP parser must refuse; sent as raw bytes. */
export const malformedRequests: [name: string, request: string, expect: Expected][] = [
  [
    'CR inside a header value',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n',
    { status: 400, code: 'bad_request' },
  ],
  [
    'LF inside a header value',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\nInjected: b\r\n\r\n',
    { status: 400, code: 'bad_request' },
  ],
  [
    'a header without a colon',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n',
    { status: 400, code: 'bad_request' },
  ],
  ['a garbage request line', 'HELLO THERE\r\n\r\n', { status: 400, code: 'bad_request' }],
  [
    'Content-Length not a number',
    'POST /v1/notifications HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n',
    { status: 400, code: 'bad_request' },
  ],
  [
    'both Content-Length and Transfer-Encoding (smuggling)',
    'POST /v1/notifications HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    { status: 400, code: 'bad_request' },
  ],
  [
    'headers over 16 KiB',
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    { status: 431, code: 'headers_too_large' },
  ],
];
