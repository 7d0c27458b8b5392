import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository's root, from test/ops. */
export const REPO = resolve(__dirname, '../..');

const KUBECTL = '/usr/bin/kubectl';

/** A rendered Kubernetes object, as parsed from `kubectl kustomize` output. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

function kubectl(): string {
  if (!existsSync(KUBECTL)) {
    throw new Error(
      `kubectl not found at ${KUBECTL}: these tests render the kustomizations with \`kubectl kustomize\`; install kubectl there`,
    );
  }
  return KUBECTL;
}

/** Every object of `kubectl kustomize <dir>`, each checked to have apiVersion, kind and a name. */
export function kustomize(dir: string): K8sObject[] {
  let out: string;
  try {
    out = execFileSync(kubectl(), ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // A synchronous call blocks Jest's own timeout; kustomize renders in well under a second.
      timeout: 60_000,
    });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`kubectl kustomize ${relative(REPO, dir) || dir} failed (${why}):\n${stderr}`);
  }
  return parseAllDocuments(out).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i} of ${dir}: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as Partial<K8sObject> | null;
    if (!obj?.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new Error(`document ${i} of ${dir} lacks apiVersion, kind or metadata.name`);
    }
    return obj as K8sObject;
  });
}

/**
 * Renders a throwaway overlay of your own over `base`, as an operator would write it: `lines` are
 * its kustomization after `resources` (paths in it relative to the repository).
 */
export function kustomizeOverlay(
  base: string,
  lines: (rel: (path: string) => string) => string[],
): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'herald-k8s-'));
  // kustomize takes a relative path to a base outside the kustomization's directory, not an absolute one.
  const rel = (path: string) => relative(dir, resolve(REPO, path));
  try {
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${rel(base)}`,
      ...lines(rel),
      '',
    ].join('\n');
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization);
    return kustomize(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Renders a throwaway overlay over `base` with a name prefix and suffix: shows whether references
 * (envFrom, secretKeyRef, scaleTargetRef) follow the renamed objects.
 */
export function kustomizeRenamed(base: string, prefix: string, suffix: string): K8sObject[] {
  return kustomizeOverlay(base, () => [`namePrefix: ${prefix}`, `nameSuffix: ${suffix}`]);
}

export function ofKind<T = K8sObject>(objects: K8sObject[], kind: string): (K8sObject & T)[] {
  return objects.filter((o) => o.kind === kind) as (K8sObject & T)[];
}
