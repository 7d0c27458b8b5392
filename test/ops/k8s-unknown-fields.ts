import { join } from 'node:path';
import ts from 'typescript';
import { REPO } from './k8s-render';
import type { K8sObject } from './k8s-render';
import { modelModule } from './k8s-schemas';

/**
 * kubernetes-models' validators check types and required fields but let unknown fields through, so
 * a misspelt `readinesProbe` would pass them, and the API server would drop it with a warning. This
 * walks each object along its model's TypeScript interface (the same OpenAPI schema, as types) and
 * reports every field the interface does not declare.
 */
export function unknownFieldChecker(
  kinds: { apiVersion: string; kind: string }[],
): (obj: K8sObject) => string[] {
  const unique = [...new Map(kinds.map((k) => [`${k.apiVersion} ${k.kind}`, k])).values()];
  // Beside the tests, so that module resolution finds test/node_modules.
  const file = join(REPO, 'test/ops/__k8s_models__.ts');
  const source = unique
    .map((k, i) => `export type { I${k.kind} as T${i} } from '${modelModule(k.apiVersion)}/${k.kind}';`)
    .join('\n');
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file ? ts.createSourceFile(name, source, version) : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const problems = ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (problems.length > 0) throw new Error(`cannot load the models' types:\n${problems.join('\n')}`);

  const checker = program.getTypeChecker();
  const sourceFile = program.getSourceFile(file);
  const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
  if (!moduleSymbol) throw new Error('cannot read the models module');
  const byKind = new Map<string, ts.Type>();
  for (const sym of checker.getExportsOfModule(moduleSymbol)) {
    const k = unique[Number(sym.name.slice(1))];
    if (k)
      byKind.set(`${k.apiVersion} ${k.kind}`, checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(sym)));
  }

  const typeOf = (prop: ts.Symbol): ts.Type =>
    prop.valueDeclaration
      ? checker.getTypeOfSymbolAtLocation(prop, prop.valueDeclaration)
      : checker.getAnyType();

  function walk(value: unknown, declared: ts.Type, path: string, out: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const type = checker.getNonNullableType(declared);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    const members = type.isUnion() ? type.types : [type];
    if (Array.isArray(value)) {
      const array = members.find((t) => checker.isArrayType(t));
      const element = array && checker.getTypeArguments(array as ts.TypeReference)[0];
      // Not an array where one belongs: a type error, which the schema validation reports.
      if (element) value.forEach((v, i) => walk(v, element, `${path}[${i}]`, out));
      return;
    }
    const objects = members.filter((t) => t.flags & ts.TypeFlags.Object && !checker.isArrayType(t));
    if (objects.length === 0) return;
    for (const [key, v] of Object.entries(value)) {
      let field: ts.Type | undefined;
      for (const t of objects) {
        const prop = t.getProperty(key);
        field = prop ? typeOf(prop) : checker.getIndexTypeOfType(t, ts.IndexKind.String);
        if (field) break;
      }
      if (field) walk(v, field, `${path}.${key}`, out);
      else out.push(`${path}.${key}`);
    }
  }

  return (obj) => {
    const type = byKind.get(`${obj.apiVersion} ${obj.kind}`);
    if (!type) throw new Error(`no model type for ${obj.apiVersion} ${obj.kind}`);
    const out: string[] = [];
    walk(obj, type, '', out);
    return out.map((p) => p.slice(1));
  };
}
