import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { createRegistry, metricsFor } from '@herald/shared';
import { measureShutdownDeadlineMs } from './k8s-drain';
import { CONFIG_LOADERS, EXAMPLE_SECRETS, SERVICES, consumerGroups, partitionCounts } from './k8s-herald';
import type { Service } from './k8s-herald';
import { REPO, kustomize, kustomizeOverlay, kustomizeRenamed, ofKind } from './k8s-render';
import type { K8sObject } from './k8s-render';
import { validateObject } from './k8s-schemas';
import { unknownFieldChecker } from './k8s-unknown-fields';

/**
 * The kustomizations as `kubectl kustomize` renders them (docs/kubernetes.md), every object checked
 * offline against the Kubernetes and KEDA schemas, and Herald's own rules for them checked against
 * the source: drain deadline, consumer groups, partition counts, configuration schemas.
 */
const OVERLAYS = ['dev', 'prod'] as const;
/** Every dashboard in the repository: the four of the issue, and any added since. */
const DASHBOARDS = readdirSync(join(REPO, 'ops/grafana/dashboards')).filter((f) => f.endsWith('.json'));
/** kubectl apply (client-side) keeps the whole object in this annotation, which is limited to 256 KiB. */
const LAST_APPLIED_LIMIT = 262_144;
/** The services that answer requests through their Service (the public API; the dead-letter admin API). */
const SERVED: Service[] = ['ingest', 'dlq'];
/** The most pods of one service that a disruption (a drain, a cluster upgrade) may take at once. */
const MAX_DISRUPTED = 1;

type Deployment = K8sObject & IDeployment;
type ScaledObject = K8sObject & IScaledObject;

const appName = (o: { metadata?: { labels?: Record<string, string> } }) =>
  o.metadata?.labels?.['app.kubernetes.io/name'] ?? '';
const podLabels = (d: Deployment) => d.spec?.template.metadata?.labels ?? {};
const containersOf = (d: { spec?: { template: { spec?: { containers: IContainer[] } } } }) =>
  d.spec?.template.spec?.containers ?? [];
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * Seconds a container's preStop hook holds SIGTERM back: `sleep N` or the sleep action; 0 without a
 * hook. Throws on a hook whose length cannot be read, which the grace period could not account for.
 */
function preStopSeconds(c: IContainer): number {
  const hook = c.lifecycle?.preStop;
  if (!hook) return 0;
  if (hook.sleep) return hook.sleep.seconds;
  const [cmd, arg, ...rest] = hook.exec?.command ?? [];
  const seconds = Number(arg);
  if (/^(\/bin\/)?sleep$/.test(cmd ?? '') && rest.length === 0 && Number.isFinite(seconds)) return seconds;
  throw new Error(`${c.name}: a preStop hook whose length is unknown: ${JSON.stringify(hook)}`);
}

/**
 * Pods a PodDisruptionBudget lets a disruption take at once from `replicas` ready pods, as the
 * disruption controller computes it (percentages of maxUnavailable round up, of minAvailable too).
 */
function disruptable(pdb: IPodDisruptionBudget, replicas: number): number {
  const of = (v: number | string) =>
    typeof v === 'number' ? v : Math.ceil((Number(v.replace(/%$/, '')) / 100) * replicas);
  const { maxUnavailable, minAvailable } = pdb.spec ?? {};
  if (maxUnavailable !== undefined) return Math.min(replicas, of(maxUnavailable));
  if (minAvailable !== undefined) return Math.max(0, replicas - of(minAvailable));
  return replicas;
}

let deadlineMs: number;
beforeAll(async () => {
  deadlineMs = await measureShutdownDeadlineMs();
});

it('a service exits within a bounded time of SIGTERM even when its drain hangs', () => {
  expect(deadlineMs).toBeGreaterThan(0);
  expect(deadlineMs).toBeLessThan(120_000);
});

describe.each(OVERLAYS)('k8s/overlays/%s', (overlay) => {
  let objects: K8sObject[];
  let deployments: Deployment[];
  let scaledObjects: ScaledObject[];
  let config: Record<string, string>;

  beforeAll(() => {
    objects = kustomize(join(REPO, 'k8s/overlays', overlay));
    deployments = ofKind<IDeployment>(objects, 'Deployment');
    scaledObjects = ofKind<IScaledObject>(objects, 'ScaledObject');
    const configMap = ofKind<IConfigMap>(objects, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('herald-config'),
    );
    if (!configMap?.data) throw new Error(`${overlay}: no herald-config ConfigMap`);
    config = configMap.data;
  });

  it('renders only objects that match their Kubernetes or KEDA schema', async () => {
    const problems: string[] = [];
    for (const obj of objects) await validateObject(obj).catch((err: Error) => problems.push(err.message));
    expect(problems).toEqual([]);
    expect(new Set(objects.map((o) => o.kind))).toEqual(
      new Set([
        'Namespace',
        'ConfigMap',
        'Secret',
        'Service',
        'Deployment',
        'Job',
        'PodDisruptionBudget',
        'ScaledObject',
      ]),
    );
  });

  it('renders no field that its schema does not declare', () => {
    const unknownFields = unknownFieldChecker(objects);
    const problems = objects.flatMap((o) =>
      unknownFields(o).map((f) => `${o.kind} ${o.metadata.name}: ${f}`),
    );
    expect(problems).toEqual([]);
  });

  it('puts everything in the herald namespace', () => {
    expect(ofKind(objects, 'Namespace').map((n) => n.metadata.name)).toEqual(['herald']);
    const elsewhere = objects.filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'herald');
    expect(elsewhere.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
  });

  it('has a Deployment and a Service on the service port for each of the six services', () => {
    for (const [service, port] of Object.entries(SERVICES)) {
      const d = deployments.find((x) => x.metadata.name === service);
      expect({ service, image: containersOf(d ?? {})[0]?.image?.split(':')[0] }).toEqual({
        service,
        image: `herald/${service}`,
      });
      expect(containersOf(d ?? {})[0]?.ports).toEqual([{ name: 'http', containerPort: port }]);
      const svc = ofKind<IService>(objects, 'Service').find((s) => s.metadata.name === service);
      expect({ service, ports: svc?.spec?.ports }).toEqual({
        service,
        ports: [{ name: 'http', port, targetPort: 'http' }],
      });
      expect(selects(svc?.spec?.selector ?? {}, podLabels(d ?? ({} as Deployment)))).toBe(true);
    }
  });

  it('probes, bounds, confines and scrapes every Deployment, and gives it longer than the drain to stop', () => {
    for (const d of deployments) {
      const pod = d.spec?.template.spec;
      const id = d.metadata.name;
      // Herald's services stop through onShutdown; the dev-only sandbox just closes.
      // The grace period counts from the pod's deletion, so it covers the preStop delay too.
      if (id in SERVICES) {
        const graceMs = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
        const preStopMs = Math.max(0, ...containersOf(d).map(preStopSeconds)) * 1000;
        expect({ id, preStopMs, graceOverPreStopAndDeadline: graceMs > preStopMs + deadlineMs }).toEqual({
          id,
          preStopMs,
          graceOverPreStopAndDeadline: true,
        });
      }
      expect({ id, nonRoot: pod?.securityContext?.runAsNonRoot }).toEqual({ id, nonRoot: true });
      for (const c of containersOf(d)) {
        const portOf = (name: unknown) => c.ports?.find((p) => p.name === name)?.containerPort;
        expect({ id, readiness: c.readinessProbe?.httpGet?.path }).toEqual({
          id,
          readiness: d.metadata.name === 'provider-sandbox' ? '/healthz' : '/readyz',
        });
        expect({ id, liveness: c.livenessProbe?.httpGet?.path }).toEqual({ id, liveness: '/healthz' });
        expect(portOf(c.readinessProbe?.httpGet?.port)).toBeDefined();
        for (const bound of ['requests', 'limits'] as const) {
          expect({
            id,
            bound,
            cpu: !!c.resources?.[bound]?.cpu,
            memory: !!c.resources?.[bound]?.memory,
          }).toEqual({
            id,
            bound,
            cpu: true,
            memory: true,
          });
        }
        expect({ id, sc: c.securityContext }).toEqual({
          id,
          sc: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        });
      }
      if (d.metadata.name in SERVICES) {
        const annotations = d.spec?.template.metadata?.annotations ?? {};
        expect({ id, annotations }).toEqual({
          id,
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(SERVICES[d.metadata.name as Service]),
            'prometheus.io/path': '/metrics',
          },
        });
      }
    }
  });

  it('holds SIGTERM back a few seconds in the services that serve requests, until their endpoints are gone', () => {
    for (const service of SERVED) {
      const [c] = containersOf(deployments.find((d) => d.metadata.name === service) ?? {});
      const seconds = c ? preStopSeconds(c) : 0;
      expect({ service, delayed: seconds >= 3 && seconds <= 15 }).toEqual({ service, delayed: true });
    }
  });

  it(`lets no disruption take more than ${MAX_DISRUPTED} pod of a service at once, at any replica count`, () => {
    const pdbs = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const pdb of pdbs) {
      const selector = pdb.spec?.selector?.matchLabels ?? {};
      const target = deployments.find((d) => selects(selector, podLabels(d)))?.metadata.name;
      const so = scaledObjects.find((s) => s.spec.scaleTargetRef.name === target);
      const [min, max] = so ? [so.spec.minReplicaCount ?? 1, so.spec.maxReplicaCount ?? 100] : [1, 1];
      for (let replicas = min; replicas <= max; replicas++) {
        const n = disruptable(pdb, replicas);
        expect({ pdb: pdb.metadata.name, replicas, withinBound: n <= MAX_DISRUPTED }).toEqual({
          pdb: pdb.metadata.name,
          replicas,
          withinBound: true,
        });
        // A budget that allows no eviction at all would block every drain of a node running the pod.
        expect({ pdb: pdb.metadata.name, replicas, drainable: n >= 1 }).toEqual({
          pdb: pdb.metadata.name,
          replicas,
          drainable: true,
        });
      }
    }
  });

  it('has a PodDisruptionBudget selecting each Deployment, and only it', () => {
    const pdbs = ofKind<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    for (const d of deployments) {
      const matching = pdbs.filter((p) => selects(p.spec?.selector?.matchLabels ?? {}, podLabels(d)));
      expect({ deployment: d.metadata.name, pdbs: matching.length }).toEqual({
        deployment: d.metadata.name,
        pdbs: 1,
      });
    }
    for (const p of pdbs) {
      const selected = deployments.filter((d) => selects(p.spec?.selector?.matchLabels ?? {}, podLabels(d)));
      expect({ pdb: p.metadata.name, deployments: selected.length }).toEqual({
        pdb: p.metadata.name,
        deployments: 1,
      });
    }
  });

  it('ships a Secret template without values, naming every key a workload reads from it', () => {
    const secrets = ofKind<ISecret>(objects, 'Secret');
    expect(secrets.map((s) => s.metadata.name)).toEqual(['herald-secrets']);
    const [secret] = secrets;
    expect(secret?.data).toBeUndefined();
    expect(secret?.stringData).toBeUndefined();
    const listed = (k: string) => (secret?.metadata.annotations?.[k] ?? '').split(',').filter(Boolean);
    const required = listed('herald.dev/required-keys');
    const optional = listed('herald.dev/optional-keys');
    expect([...required, ...optional].sort()).toEqual(Object.keys(EXAMPLE_SECRETS).sort());

    const workloads = [...deployments, ...ofKind<IJob>(objects, 'Job')];
    const refs = workloads.flatMap((w) =>
      containersOf(w).flatMap((c) =>
        (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
      ),
    );
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.name).toBe('herald-secrets');
      // A key the template calls optional may be absent: whoever reads it must say optional.
      expect({
        key: ref.key,
        listed: (ref.optional ? optional : []).concat(required).includes(ref.key),
      }).toEqual({
        key: ref.key,
        listed: true,
      });
    }
    expect(workloads.some((w) => containersOf(w).some((c) => c.envFrom?.some((e) => e.secretRef)))).toBe(
      false,
    );
  });

  it('gives every container an environment its own configuration schema accepts (Secret filled in)', () => {
    const configMaps = new Map(
      ofKind<IConfigMap>(objects, 'ConfigMap').map((c) => [c.metadata.name, c.data ?? {}]),
    );
    const workloads = [...deployments, ...ofKind<IJob>(objects, 'Job')];
    const problems: string[] = [];
    for (const w of workloads) {
      const [c] = containersOf(w);
      const load = CONFIG_LOADERS[appName(w)];
      if (!c || !load) {
        problems.push(`${w.kind} ${w.metadata.name}: no container or no configuration loader`);
        continue;
      }
      const env: Record<string, string> = {};
      for (const from of c.envFrom ?? [])
        Object.assign(env, configMaps.get(from.configMapRef?.name ?? '') ?? {});
      for (const e of c.env ?? []) {
        const cmRef = e.valueFrom?.configMapKeyRef;
        const secretRef = e.valueFrom?.secretKeyRef;
        const value = cmRef
          ? configMaps.get(cmRef.name ?? '')?.[cmRef.key]
          : secretRef
            ? EXAMPLE_SECRETS[secretRef.key]
            : e.value;
        if (value === undefined) problems.push(`${w.metadata.name}: ${e.name} resolves to nothing`);
        else env[e.name] = value;
      }
      try {
        load(env);
      } catch (err) {
        problems.push(`${w.metadata.name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('scales each consumer service on its consumer groups’ lag, never past the partitions it consumes', () => {
    const groups = consumerGroups(config.DELAY_TIERS ?? '');
    const partitions = partitionCounts(config.DELAY_TIERS ?? '');
    for (const service of Object.keys(SERVICES) as Service[]) {
      const targeting = scaledObjects.filter((s) => s.spec.scaleTargetRef.name === service);
      expect({ service, scaledObjects: targeting.length }).toEqual({ service, scaledObjects: 1 });
      const [so] = targeting;
      if (!so) continue;
      expect(so.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
      const kafka = so.spec.triggers.filter((t) => t.type === 'kafka');
      const triggered = kafka.map((t) => ({ group: t.metadata.consumerGroup, topic: t.metadata.topic }));
      const expected = groups[service]
        .filter((g) => !g.waitsByDesign)
        .map(({ group, topic }) => ({ group, topic }));
      expect({ service, triggered }).toEqual({ service, triggered: expected });
      for (const t of kafka) {
        expect(t.metadata.bootstrapServersFromEnv ?? t.metadata.bootstrapServers).toBeTruthy();
        expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
        // Groups start at the earliest offset (docs/architecture.md): so must KEDA's reading of their lag.
        expect(t.metadata.offsetResetPolicy).toBe('earliest');
      }
      const consumed = groups[service].map((g) => partitions.get(g.topic));
      expect({ service, unknownTopics: consumed.filter((p) => p === undefined).length }).toEqual({
        service,
        unknownTopics: 0,
      });
      const max = so.spec.maxReplicaCount ?? 100;
      expect({ service, max, fits: max <= Math.min(...(consumed as number[])) }).toEqual({
        service,
        max,
        fits: true,
      });
      expect(so.spec.minReplicaCount ?? 0).toBeGreaterThanOrEqual(1);
      expect(so.spec.minReplicaCount ?? 0).toBeLessThanOrEqual(max);
    }
  });

  it('scales the dlq on overdue delay tiers, never on the lag that waits in them by design', () => {
    const so = scaledObjects.find((s) => s.spec.scaleTargetRef.name === 'dlq');
    const tierGroups = consumerGroups(config.DELAY_TIERS ?? '')
      .dlq.filter((g) => g.waitsByDesign)
      .map((g) => g.group);
    expect(tierGroups.length).toBeGreaterThan(0);
    const allGroups = scaledObjects.flatMap((s) => s.spec.triggers.map((t) => t.metadata.consumerGroup));
    expect(allGroups.filter((g) => g !== undefined && tierGroups.includes(g))).toEqual([]);
    const prometheus = so?.spec.triggers.filter((t) => t.type === 'prometheus') ?? [];
    expect(prometheus.map((t) => t.metadata.query)).toEqual([
      expect.stringMatching(/^max\(herald_delay_overdue_seconds\b/),
    ]);
    // The address is herald-config's PROMETHEUS_URL, the one place to set it.
    expect(config.PROMETHEUS_URL).toMatch(/^https?:\/\//);
    expect(prometheus[0]?.metadata.serverAddress).toBe(config.PROMETHEUS_URL);
    expect(Number(prometheus[0]?.metadata.threshold)).toBeGreaterThan(0);
  });

  it('reads the overdue signal by the labels the dlq itself puts on it, none from the scrape configuration', async () => {
    const so = scaledObjects.find((s) => s.spec.scaleTargetRef.name === 'dlq');
    const query = so?.spec.triggers.find((t) => t.type === 'prometheus')?.metadata.query ?? '';
    const matchers = [
      ...(/herald_delay_overdue_seconds\{([^}]*)\}/.exec(query)?.[1] ?? '').matchAll(
        /(\w+)\s*=\s*"([^"]*)"/g,
      ),
    ].map(([, label, value]) => [label, value]);
    expect(matchers.length).toBeGreaterThan(0);
    // The dlq's registry, named as its main.ts names it, with the gauge the dlq sets.
    const main = readFileSync(join(REPO, 'services/dlq/src/main.ts'), 'utf8');
    const name = /createRuntime\(\s*'([^']+)'/.exec(main)?.[1];
    expect(name).toBe('dlq');
    const registry = createRegistry(name ?? '');
    metricsFor.delayOverdue(registry).set({ group: 'g', topic: 't' }, 1);
    const exposed = (await registry.metrics())
      .split('\n')
      .find((l) => l.startsWith('herald_delay_overdue_seconds{'));
    for (const [label, value] of matchers) expect(exposed).toContain(`${label}="${value}"`);
  });

  it('leaves the replica count of an autoscaled Deployment to KEDA', () => {
    const scaled = new Set(scaledObjects.map((s) => s.spec.scaleTargetRef.name));
    const fighting = deployments.filter((d) => scaled.has(d.metadata.name) && d.spec?.replicas !== undefined);
    expect(fighting.map((d) => d.metadata.name)).toEqual([]);
    for (const name of scaled) expect(deployments.map((d) => d.metadata.name)).toContain(name);
  });

  it('provisions topics, migrations and schemas with a Job running the ingest image', () => {
    const jobs = ofKind<IJob>(objects, 'Job');
    expect(jobs.map((j) => j.metadata.name)).toEqual(['herald-provision']);
    const [c] = containersOf(jobs[0] ?? {});
    const ingestImage = containersOf(deployments.find((d) => d.metadata.name === 'ingest') ?? {})[0]?.image;
    expect(c?.image).toBe(ingestImage);
    expect(c?.args).toEqual(['node', 'node_modules/@herald/shared/dist/provision-main.js']);
    // The path the Dockerfile's header promises for the provisioning helper in the ingest image.
    expect(readFileSync(join(REPO, 'Dockerfile'), 'utf8')).toContain(c?.args?.join(' '));
  });

  it('carries every Grafana dashboard and the alert rules in ConfigMaps, byte for byte', () => {
    const configMaps = ofKind<IConfigMap>(objects, 'ConfigMap');
    const dashboards = configMaps.filter((c) => c.metadata.labels?.grafana_dashboard === '1');
    expect(dashboards).toHaveLength(1);
    expect(DASHBOARDS).toEqual(
      expect.arrayContaining(['overview.json', 'channel.json', 'dlq.json', 'kafka.json']),
    );
    expect(Object.keys(dashboards[0]?.data ?? {}).sort()).toEqual([...DASHBOARDS].sort());
    for (const file of DASHBOARDS) {
      const text = readFileSync(join(REPO, 'ops/grafana/dashboards', file), 'utf8');
      expect(dashboards[0]?.data?.[file]).toBe(text);
    }
    const rules = configMaps.find((c) => c.metadata.name === 'herald-prometheus-rules');
    expect(rules?.data?.['alerts.yml']).toBe(readFileSync(join(REPO, 'ops/prometheus/alerts.yml'), 'utf8'));
  });

  it('renders objects small enough for kubectl apply to record them', () => {
    const big = objects.filter((o) => JSON.stringify(o).length >= LAST_APPLIED_LIMIT);
    expect(big.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([]);
  });

  it('tags every image', () => {
    const images = [...deployments, ...ofKind<IJob>(objects, 'Job')].flatMap((w) =>
      containersOf(w).map((c) => c.image ?? ''),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images)
      expect(image).toMatch(overlay === 'dev' ? /^herald\/[a-z-]+:dev$/ : /^herald\/[a-z-]+:\d+\.\d+\.\d+$/);
  });
});

describe('the checks themselves', () => {
  const deployment = (container: Record<string, unknown>): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'probe' },
    spec: {
      selector: { matchLabels: { app: 'probe' } },
      template: {
        metadata: { labels: { app: 'probe' } },
        spec: { containers: [{ name: 'c', ...container }] },
      },
    },
  });

  it('reject a field of the wrong type, and a kind without a schema', async () => {
    await expect(validateObject(deployment({ ports: [{ containerPort: 'eighty' }] }))).rejects.toThrow(
      /Deployment probe does not match its schema/,
    );
    await expect(
      validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).rejects.toThrow(/no schema/);
    await expect(
      validateObject({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).rejects.toThrow(/no schema for Widget/);
  });

  it('report a misspelt field that the schema validation lets through', async () => {
    const typo = deployment({ image: 'x', readinesProbe: { httpGet: { path: '/readyz', port: 80 } } });
    await validateObject(typo);
    expect(unknownFieldChecker([typo])(typo)).toEqual(['spec.template.spec.containers[0].readinesProbe']);
  });
});

describe('the overlays differ where they should', () => {
  const render = (o: string) => kustomize(join(REPO, 'k8s/overlays', o));

  it('dev runs one replica of each service, and the provider sandbox that the dispatchers call', () => {
    const objects = render('dev');
    for (const so of ofKind<IScaledObject>(objects, 'ScaledObject')) expect(so.spec.minReplicaCount).toBe(1);
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toContain('provider-sandbox');
    const config = ofKind<IConfigMap>(objects, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('herald-config'),
    );
    expect(config?.data?.SENDGRID_BASE_URL).toBe('http://provider-sandbox:8025');
  });

  it('prod runs two replicas at least, and has no sandbox', () => {
    const objects = render('prod');
    for (const so of ofKind<IScaledObject>(objects, 'ScaledObject')) {
      expect(so.spec.minReplicaCount ?? 0).toBeGreaterThanOrEqual(2);
    }
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).not.toContain('provider-sandbox');
    const config = ofKind<IConfigMap>(objects, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('herald-config'),
    );
    const redirected = Object.keys(config?.data ?? {}).filter((k) =>
      /^SANDBOX_|_SANDBOX_URL$|^SENDGRID_BASE_URL$/.test(k),
    );
    expect(redirected).toEqual([]);
  });

  it('prod spreads each Deployment’s own pods across zones and nodes, never refusing to schedule one', () => {
    const deployments = ofKind<IDeployment>(render('prod'), 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const d of deployments) {
      const constraints = d.spec?.template.spec?.topologySpreadConstraints ?? [];
      expect({ deployment: d.metadata.name, keys: constraints.map((c) => c.topologyKey).sort() }).toEqual({
        deployment: d.metadata.name,
        keys: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'],
      });
      for (const c of constraints) {
        const selector = c.labelSelector?.matchLabels ?? {};
        const spread = deployments.filter((x) => selects(selector, podLabels(x))).map((x) => x.metadata.name);
        expect({
          deployment: d.metadata.name,
          key: c.topologyKey,
          spread,
          expressions: c.labelSelector?.matchExpressions,
          when: c.whenUnsatisfiable,
          skew: c.maxSkew,
        }).toEqual({
          deployment: d.metadata.name,
          key: c.topologyKey,
          spread: [d.metadata.name],
          expressions: undefined,
          when: 'ScheduleAnyway',
          skew: 1,
        });
      }
    }
  });
});

describe('an overlay of your own over prod', () => {
  it('sets the Prometheus address of the dlq’s scaling in herald-config, in one place', () => {
    const address = 'http://prometheus-k8s.observability.svc:9090';
    const objects = kustomizeOverlay(join(REPO, 'k8s/overlays/prod'), (rel) => [
      'components:',
      `  - ${rel('k8s/components/prometheus-address')}`,
      'configMapGenerator:',
      '  - name: herald-config',
      '    behavior: merge',
      '    literals:',
      `      - PROMETHEUS_URL=${address}`,
    ]);
    const so = ofKind<IScaledObject>(objects, 'ScaledObject').find((s) => s.metadata.name === 'dlq');
    expect(so?.spec.triggers.find((t) => t.type === 'prometheus')?.metadata.serverAddress).toBe(address);
  });
});

describe('k8s/examples/hpa, the alternative without KEDA', () => {
  it('replaces every ScaledObject with a valid HorizontalPodAutoscaler on the same signals, within partitions', async () => {
    const objects = kustomize(join(REPO, 'k8s/examples/hpa'));
    const problems: string[] = [];
    const unknownFields = unknownFieldChecker(objects);
    for (const obj of objects) {
      await validateObject(obj).catch((err: Error) => problems.push(err.message));
      problems.push(...unknownFields(obj).map((f) => `${obj.kind} ${obj.metadata.name}: ${f}`));
    }
    expect(problems).toEqual([]);
    expect(ofKind(objects, 'ScaledObject')).toEqual([]);

    const config = ofKind<IConfigMap>(objects, 'ConfigMap').find((c) =>
      c.metadata.name.startsWith('herald-config'),
    );
    const groups = consumerGroups(config?.data?.DELAY_TIERS ?? '');
    const partitions = partitionCounts(config?.data?.DELAY_TIERS ?? '');
    const hpas = ofKind<IHorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec?.scaleTargetRef.name).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const h of hpas) {
      const service = h.spec?.scaleTargetRef.name as Service;
      const lagGroups = (h.spec?.metrics ?? []).flatMap((m) =>
        m.external?.metric.name === 'herald_consumer_lag'
          ? [m.external.metric.selector?.matchLabels?.group]
          : [],
      );
      expect({ service, lagGroups }).toEqual({
        service,
        lagGroups: groups[service].filter((g) => !g.waitsByDesign).map((g) => g.group),
      });
      const fewest = Math.min(...groups[service].map((g) => partitions.get(g.topic) ?? 0));
      expect({ service, fits: (h.spec?.maxReplicas ?? Infinity) <= fewest }).toEqual({ service, fits: true });
    }
  });
});

describe('an overlay that renames (namePrefix, nameSuffix)', () => {
  it.each(OVERLAYS)('keeps every ScaledObject of %s aimed at its renamed Deployment', (overlay) => {
    const objects = kustomizeRenamed(join(REPO, 'k8s/overlays', overlay), 'blue-', '-v2');
    const names = new Set(ofKind(objects, 'Deployment').map((d) => d.metadata.name));
    const targets = ofKind<IScaledObject>(objects, 'ScaledObject').map((s) => s.spec.scaleTargetRef.name);
    expect(targets.length).toBe(Object.keys(SERVICES).length);
    for (const t of targets) {
      expect(t).toMatch(/^blue-.*-v2$/);
      expect(names.has(t)).toBe(true);
    }
  });
});
