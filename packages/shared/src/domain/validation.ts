/** Input rules shared by the HTTP API and the router (which re-checks records from any producer). */
export const USER_ID = /^[A-Za-z0-9._:@-]{1,200}$/;
export const USER_ID_HINT = 'expected 1-200 characters of A-Z a-z 0-9 . _ : @ -';
export const E164 = /^\+[1-9]\d{6,14}$/;
export const E164_HINT = 'expected an E.164 number such as +14155550100';
export const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
export const LOCALE_HINT = 'expected a BCP 47 tag such as en or pt-BR';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Template variables, as JSON: enough for any message, small enough for one Kafka record. */
export const MAX_DATA_BYTES = 64 * 1024;
export const MAX_DEVICE_TOKENS = 100;
/**
 * Free text that Postgres can store and dashboards can show as sent: no C0 or C1 control characters
 * and no bidirectional overrides or isolates (the "Trojan Source" characters, CVE-2021-42574).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const PRINTABLE = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;
export const PRINTABLE_HINT = 'must not contain control characters or bidirectional overrides';
/** Template ids are names an operator types: letters, digits, `.`, `_` and `-`. */
export const TEMPLATE_ID = /^[A-Za-z0-9._-]{1,200}$/;
export const TEMPLATE_ID_HINT = 'expected 1-200 characters of A-Z a-z 0-9 . _ -';
/** The range of a JavaScript Date (and so of an epoch-ms timestamp Herald can store). */
export const MAX_TIMESTAMP_MS = 8.64e15;
/** A request's own dedup window is at most 30 days. */
export const MAX_DEDUP_WINDOW_SECONDS = 30 * 86_400;
/** FCM keeps a message for an offline device at most 4 weeks. */
export const MAX_PUSH_TTL_SECONDS = 28 * 86_400;
/** APNs' `apns-collapse-id` is at most 64 bytes. */
export const MAX_COLLAPSE_KEY = 64;
/** Tags routing rules match on: a few short labels a request. */
export const TAG = /^[A-Za-z0-9._:-]{1,100}$/;
export const TAG_HINT = 'expected 1-100 characters of A-Z a-z 0-9 . _ : -';
export const MAX_TAGS = 20;
/**
 * A topic prefix (TOPIC_PREFIX): it starts every topic and consumer group name, so it holds only
 * the characters Kafka allows in a topic name and leaves room under Kafka's 249 for the longest.
 */
export const TOPIC_PREFIX = /^[A-Za-z0-9._-]{0,180}$/;
export const TOPIC_PREFIX_HINT = 'expected at most 180 characters of A-Z a-z 0-9 . _ -';
