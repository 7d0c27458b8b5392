import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApiKey } from '@herald/shared';
import { freePort, startStack, testEnv, waitFor } from '@herald/test-support';
import type { Stack } from '@herald/test-support';

/**
 * The operator CLI as operators run it: the built `packages/cli/dist/main.js` as a child process,
 * configured by the environment (HERALD_URL, HERALD_KEY, KAFKA_BROKERS…), against the six
 * services. Assertions are on its output and exit code, and on what the sandbox received.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'packages', 'cli', 'dist', 'main.js');

let stack: Stack;
let dir: string;
beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error('packages/cli/dist/main.js is missing: run `pnpm build` first');
  stack = await startStack('cli');
  dir = await mkdtemp(path.join(tmpdir(), 'herald-cli-'));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI without blocking this process (the sandbox the services call lives in it). */
function herald(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HERALD_URL: stack.url('ingest', ''),
        HERALD_DLQ_URL: stack.url('dlq', ''),
        HERALD_KEY: stack.apiKey,
        KAFKA_BROKERS: testEnv.brokers.join(','),
        SCHEMA_REGISTRY_URL: testEnv.registryUrl,
        TOPIC_PREFIX: stack.prefix,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herald ${args.join(' ')} ran over ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function newUser(email: string): Promise<string> {
  const id = `cli-${randomUUID().slice(0, 8)}`;
  expect((await stack.api('PUT', `/v1/users/${id}`, { email, timezone: 'UTC' })).status).toBe(201);
  return id;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('herald send and timeline', () => {
  it('sends one notification, prints its id, and shows its timeline until sent', async () => {
    const email = `one-${randomUUID().slice(0, 8)}@example.com`;
    const user = await newUser(email);
    const sent = await herald([
      'send',
      '--user',
      user,
      '--category',
      'account',
      '--priority',
      'high',
      '--channels',
      'email',
      '--data',
      '{"title":"From the CLI","body":"hello"}',
      '--idempotency-key',
      `cli-${user}`,
    ]);
    expect(sent).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    const id = sent.stdout.trim();
    expect(id).toMatch(UUID);

    const watched = await herald(['timeline', id, '--watch', '--interval', '300', '--timeout', '60']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`notification ${id}: sent`);
    expect(watched.stdout).toMatch(/^email +sent$/m);
    expect(watched.stdout).toMatch(/ email +sent +providerMessageId=/);
    expect(stack.sandbox.store.list({ to: email }).map((m) => m.subject)).toEqual(['From the CLI']);

    const json = await herald(['timeline', id, '--json']);
    const view = JSON.parse(json.stdout) as {
      status: string;
      userId: string;
      channels: Record<string, unknown>;
    };
    expect(view).toEqual(expect.objectContaining({ status: 'sent', userId: user }));

    // The same idempotency key again: the first answer, nothing new sent.
    const again = await herald([
      'send',
      '-u',
      user,
      '-c',
      'account',
      '-p',
      'high',
      '--channels',
      'email',
      '-d',
      '{"title":"From the CLI","body":"hello"}',
      '--idempotency-key',
      `cli-${user}`,
    ]);
    expect(again.stdout.trim()).toBe(id);
    expect(again.stderr).toMatch(/answered from an earlier request/);
  }, 90_000);

  it('sends a 1,500-line file in two batches with progress, and every notification is delivered', async () => {
    const run = randomUUID().slice(0, 8);
    const lines = Array.from({ length: 1500 }, (_, i) =>
      JSON.stringify({
        userId: `bulk-${run}-${i}`,
        channels: ['email'],
        to: { email: `bulk-${run}-${i}@example.com` },
        data: { title: 'Bulk', body: `item ${i}` },
      }),
    );
    const file = path.join(dir, 'bulk.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);
    const res = await herald(['send', '--file', file]);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('1500 accepted, 0 rejected (of 1500)');
    // stderr is a pipe here: plain progress lines, the last one at the end.
    const progress = res.stderr.trim().split('\n');
    expect(progress.at(-1)).toMatch(/^sending: 1500\/1500 \(100%\) after \d+\.\ds$/);
    expect(progress.every((l) => /^sending: \d+\/1500/.test(l))).toBe(true);

    const delivered = await waitFor(
      '1500 bulk emails',
      () => {
        const got = stack.sandbox.store
          .list({ provider: 'sendgrid' })
          .filter((m) => m.accepted && m.to.startsWith(`bulk-${run}-`));
        return got.length >= 1500 ? got : undefined;
      },
      120_000,
      500,
    );
    expect(new Set(delivered.map((m) => m.to)).size).toBe(1500);
  }, 180_000);

  it('reports bad lines by number and sends nothing; rejected items are listed by line with exit code 1', async () => {
    const bad = path.join(dir, 'bad.ndjson');
    await writeFile(bad, '{"userId":"a"}\n{"userId":\n[]\n');
    const refused = await herald(['send', '--file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2 bad line(s); nothing was sent');
    expect(refused.stderr).toMatch(/line 2: not valid JSON/);
    expect(refused.stderr).toContain('line 3: expected a JSON object');

    const mixed = path.join(dir, 'mixed.ndjson');
    const user = `mixed-${randomUUID().slice(0, 8)}`;
    await writeFile(
      mixed,
      [
        { userId: user, channels: ['email'], to: { email: `${user}@example.com` } },
        { channels: ['email'] },
        { userId: user, priority: 'urgent' },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const partly = await herald(['send', '--file', mixed]);
    expect(partly.code).toBe(1);
    expect(partly.stdout).toContain('1 accepted, 2 rejected (of 3)');
    expect(partly.stdout).toContain('rejected by reason: validation_failed 2');
    expect(partly.stdout).toMatch(/line 2: validation_failed: .*userId/);
    expect(partly.stdout).toMatch(/line 3: validation_failed: .*priority/);

    // The same file again: its batch carries the same Idempotency-Key, so it is answered from the
    // first run (the same id) and nothing is accepted twice; --new-keys sends it anew.
    const acceptedId = async (extra: string[]) => {
      const r = await herald(['send', '--file', mixed, '--json', ...extra]);
      expect(r.code).toBe(1);
      const body = JSON.parse(r.stdout) as { accepted: { line: number; id: string }[] };
      expect(body.accepted.map((a) => a.line)).toEqual([1]);
      return body.accepted[0]?.id;
    };
    const again = await acceptedId([]);
    expect(again).toMatch(UUID);
    expect(await acceptedId([])).toBe(again);
    const fresh = await acceptedId(['--new-keys']);
    expect(fresh).toMatch(UUID);
    expect(fresh).not.toBe(again);
  }, 60_000);
});

describe('herald tail and lag', () => {
  it('tails notify.status decoded through the registry', async () => {
    const res = await herald(['tail', 'notify.status', '--from-beginning', '--max', '5', '--json']);
    expect(res.code).toBe(0);
    const records = res.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            topic: string;
            key: string;
            offset: string;
            value: { notificationId: string; status: string; eventId: string };
          },
      );
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(r.topic).toBe(`${stack.prefix}notify.status`);
      expect(r.value.notificationId).toMatch(UUID);
      expect(r.key).toBe(r.value.notificationId);
      expect(['ACCEPTED', 'ROUTED', 'SENT', 'SUPPRESSED', 'PARKED', 'FAILED', 'DEFERRED']).toContain(
        r.value.status,
      );
    }
    const line = await herald(['tail', 'status', '--from-beginning', '--max', '1']);
    expect(line.stdout).toMatch(
      new RegExp(
        `^${stack.prefix.replace(/\./g, '\\.')}notify\\.status\\[\\d+\\]@\\d+ \\S+Z key=[0-9a-f-]{36} \\{"eventId":`,
      ),
    );
  }, 60_000);

  it('exits 0 quietly when its reader goes away (herald tail … | head)', async () => {
    const child = spawn(process.execPath, [CLI, 'tail', 'status', '--from-beginning'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: testEnv.brokers.join(','),
        SCHEMA_REGISTRY_URL: testEnv.registryUrl,
        TOPIC_PREFIX: stack.prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Like `head -1`: the first line read, the pipe closed while thousands of records remain.
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`herald tail did not end after its reader went away; stderr: ${stderr}`));
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  }, 60_000);

  it('redacts addresses unless asked to show them', async () => {
    const redacted = await herald(['tail', 'priority.normal', '--from-beginning', '--max', '3', '--json']);
    expect(redacted.code).toBe(0);
    const values = redacted.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { value: { to: { email: string } | null } }).value);
    expect(values.filter((v) => v.to !== null).length).toBeGreaterThan(0);
    for (const v of values) if (v.to) expect(v.to.email).toBe('[redacted]');
    expect(redacted.stdout).not.toMatch(/@example\.com/);

    const shown = await herald([
      'tail',
      'priority.normal',
      '--from-beginning',
      '--max',
      '3',
      '--json',
      '--show-personal-data',
    ]);
    expect(shown.stdout).toMatch(/@example\.com/);
  }, 60_000);

  it("lists the router's consumer groups with their lag", async () => {
    const res = await herald(['lag']);
    expect(res.code).toBe(0);
    const p = stack.prefix.replace(/\./g, '\\.');
    for (const lane of ['critical', 'high', 'normal', 'low']) {
      // A row per topic (group, topic, partitions, lag) and a total per group (state, members, topics, lag).
      expect(res.stdout).toMatch(
        new RegExp(`^${p}herald-router\\.${lane} +${p}notify\\.priority\\.${lane} +12 +\\d+( .*)?$`, 'm'),
      );
      expect(res.stdout).toMatch(new RegExp(`^${p}herald-router\\.${lane} +Stable +1 +1 +\\d+$`, 'm'));
    }
    expect(res.stdout).toMatch(/^GROUP +STATE +MEMBERS +TOPICS +TOTAL LAG$/m);
    const json = await herald(['lag', '--group', 'herald-router', '--json']);
    const { groups, rows } = JSON.parse(json.stdout) as {
      groups: { group: string; state: string; members: number }[];
      rows: { group: string; topic: string; lag: number }[];
    };
    expect(groups.map((g) => g.group).sort()).toEqual(
      ['critical', 'high', 'low', 'normal'].map((l) => `${stack.prefix}herald-router.${l}`),
    );
    for (const g of groups) expect(g).toEqual(expect.objectContaining({ state: 'Stable', members: 1 }));
    const normal = rows.find((r) => r.group === `${stack.prefix}herald-router.normal`);
    expect(normal).toEqual(expect.objectContaining({ topic: `${stack.prefix}notify.priority.normal` }));
    expect(normal?.lag).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe('herald dead-letters', () => {
  /** A notification to an address the sandbox refuses for good: parked at once (invalid_address). */
  async function parkOne(): Promise<string> {
    const user = await newUser(`gone-${randomUUID().slice(0, 8)}@invalid.test`);
    const sent = await herald(['send', '-u', user, '--channels', 'email', '-d', '{"title":"T","body":"b"}']);
    expect(sent.code).toBe(0);
    const id = sent.stdout.trim();
    const watched = await herald(['timeline', id, '--watch', '--interval', '300', '--timeout', '60']);
    expect(watched.stdout).toContain(`notification ${id}: parked`);
    return id;
  }

  it('lists, shows and replays one dead letter', async () => {
    const notificationId = await parkOne();
    const listed = await waitFor('the dead letter in the list', async () => {
      const res = await herald([
        'dead-letters',
        'list',
        '--channel',
        'email',
        '--notification',
        notificationId,
      ]);
      return res.stdout.includes(notificationId) ? res : undefined;
    });
    expect(listed.code).toBe(0);
    const row = listed.stdout.split('\n').find((l) => l.includes(notificationId)) ?? '';
    expect(row).toMatch(/^ *(\d+) +\S+Z +parked +email +invalid_address +1 +/);
    const letterId = /^ *(\d+)/.exec(row)?.[1] ?? '';

    const shown = await herald(['dead-letters', 'show', letterId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^reason: +invalid_address$/m);
    expect(shown.stdout).toContain('"address": "[redacted]"');
    expect(shown.stdout).not.toContain('@invalid.test');

    const replayed = await herald(['dead-letters', 'replay', letterId]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout.trim()).toBe(
      `replayed dead letter ${letterId} (notification ${notificationId}, email) to ${stack.prefix}notify.channel.email.normal`,
    );
    const twice = await herald(['dead-letters', 'replay', letterId]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/replaying dead letter \d+ failed \(409 not_parked/);

    const history = await herald(['dead-letters', 'list', '--status', 'replayed', '--json']);
    const { deadLetters } = JSON.parse(history.stdout) as { deadLetters: { id: string; status: string }[] };
    expect(deadLetters).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: letterId, status: 'replayed' })]),
    );
  }, 120_000);

  it('replays every matching letter with --all through a bulk job, with progress until done', async () => {
    await Promise.all(Array.from({ length: 5 }, () => parkOne()));
    const parkedCount = async () => {
      const res = await herald([
        'dead-letters',
        'list',
        '--reason',
        'invalid_address',
        '--limit',
        '500',
        '--json',
      ]);
      return (JSON.parse(res.stdout) as { deadLetters: unknown[] }).deadLetters.length;
    };
    await waitFor('five parked letters', async () => ((await parkedCount()) >= 5 ? true : undefined));

    const res = await herald([
      'dead-letters',
      'replay',
      '--all',
      '--reason',
      'invalid_address',
      '--interval',
      '200',
    ]);
    expect(res.code).toBe(0);
    const summary = /^replay job [0-9a-f-]{36} done: (\d+) replayed, 0 skipped, 0 failed of (\d+)$/.exec(
      res.stdout.trim(),
    );
    expect(summary).not.toBeNull();
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(5);
    expect(summary?.[1]).toBe(summary?.[2]);
    expect(res.stderr).toMatch(/^replay job [0-9a-f-]{36}: \d+ parked letter\(s\) to replay$/m);
    expect(res.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(`^replaying: ${summary?.[1]}/${summary?.[1]} \\(100%\\)`),
    );
  }, 180_000);
});

describe('herald errors', () => {
  it('says what is wrong and exits non-zero', async () => {
    const sendOnly = await createApiKey(stack.pool, 'cli-send-only', ['send']);
    const forbidden = await herald(['dead-letters', 'list'], { HERALD_KEY: sendOnly });
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/403 forbidden.*needs an API key with the admin scope/);

    const unknownKey = await herald(['timeline', randomUUID()], { HERALD_KEY: 'not-a-key' });
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toMatch(/401 unauthorized.*Set HERALD_KEY/);

    const missing = await herald(['timeline', randomUUID()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found \(404/);

    const nobody = `http://127.0.0.1:${await freePort()}`;
    const down = await herald(['send', '-u', 'x'], { HERALD_URL: nobody });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`cannot reach ingest at ${nobody} (ECONNREFUSED)`);

    const usage = await herald(['send', '--priority', 'urgent', '-u', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--priority must be one of critical, high, normal, low/);
    expect((await herald(['lag', '--frobnicate'])).code).toBe(2);

    const settings = await herald(['--brokers', 'kafka', 'lag'], { TOPIC_PREFIX: 'team a/' });
    expect(settings.code).toBe(2);
    expect(settings.stderr).toContain('--brokers must be host:port[,host:port...] (got "kafka")');
    expect(settings.stderr).toContain('TOPIC_PREFIX must be at most 180 characters');

    const noTopic = await herald(['tail', 'notify.nothing', '--max', '1']);
    expect(noTopic.code).toBe(1);
    expect(noTopic.stderr).toMatch(/no such topic: .*notify\.nothing/);
  }, 60_000);
});
