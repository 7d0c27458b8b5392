import type { K8sObject } from './k8s-render';

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** Where an apiVersion's models are: kubernetes-models for Kubernetes' own groups, a package per CRD. */
export function modelModule(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (group === 'keda.sh') return `@kubernetes-models/keda/keda.sh/${version}`;
  if (group.includes('.') && !group.endsWith('.k8s.io')) {
    throw new Error(`no schema package for the custom resource group ${group} (${apiVersion})`);
  }
  return `kubernetes-models/${group === '' ? '' : `${group}/`}${version}`;
}

async function modelClass(apiVersion: string, kind: string): Promise<ModelClass> {
  const specifier = modelModule(apiVersion);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch {
    throw new Error(`no schema for ${apiVersion} ${kind}: ${specifier} is not installed`);
  }
  const cls = mod[kind];
  if (typeof cls !== 'function') throw new Error(`no schema for ${kind} in ${specifier}`);
  return cls as ModelClass;
}

/**
 * Validates an object against its kind's OpenAPI schema (kubernetes-models: types, required fields,
 * enums, formats). Throws naming the object and every violation; an object whose kind has no
 * schema throws too.
 */
export async function validateObject(obj: K8sObject): Promise<void> {
  const id = `${obj.kind} ${obj.metadata.name}`;
  const Kind = await modelClass(obj.apiVersion, obj.kind);
  try {
    new Kind(obj).validate();
  } catch (err) {
    throw new Error(`${id} does not match its schema: ${(err as Error).message}`);
  }
}
