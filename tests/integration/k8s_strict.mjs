// Unknown fields in Kubernetes objects, like `kubeconform -strict` (which the CI workflow runs
// on the real `helm template`): kubernetes-models' validate() checks types and required
// fields but lets a misspelt field (e.g. "readinesProbe") through, which the API server
// would drop without a word. The field names come from kubernetes-models' own type
// declarations (.d.ts, generated from the Kubernetes OpenAPI schemas), followed through
// nested types. Returns the list of unknown field paths ([] when clean).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), 'node_modules');
const cache = new Map();

// -> {props: Map(name -> type text), imports: Map(type name -> .d.ts path)} or null (not an interface)
function declarations(file) {
  if (cache.has(file)) return cache.get(file);
  const text = readFileSync(file, 'utf8');
  const imports = new Map();
  for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    const spec = m[2].replace(/\.js$/, '');
    imports.set(m[1], `${spec.startsWith('.') ? resolve(dirname(file), spec) : join(NODE_MODULES, spec)}.d.ts`);
  }
  const body = /export interface \w+(?: extends [\w, ]+)? \{([\s\S]*?)\n\}/.exec(text);
  let result = null;
  if (body) {
    const props = new Map();
    // a property's type runs on over more deeply indented lines (maps: { [key: string]: T })
    for (const m of body[1].matchAll(/^ {4}"([^"]+)"\??: ([^\n]*(?:\n {8}[^\n]*)*)/gm)) props.set(m[1], m[2]);
    result = { props, imports };
  }
  cache.set(file, result);
  return result;
}

function walk(value, file, path, out) {
  const decl = declarations(file);
  if (!decl || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const type = decl.props.get(key);
    if (type === undefined) { out.push(`${path}.${key}`); continue; }
    const ref = /\b(I\w+)\b/.exec(type)?.[1];
    const next = ref && decl.imports.get(ref);
    if (!next) continue;
    if (/^Array<|\[\]$/.test(type)) (child || []).forEach((c, i) => walk(c, next, `${path}.${key}[${i}]`, out));
    else if (/^\{\s*\[key: string\]/.test(type)) for (const [k, c] of Object.entries(child || {})) walk(c, next, `${path}.${key}.${k}`, out);
    else walk(child, next, `${path}.${key}`, out);
  }
}

export function unknownFields(doc) {
  const file = join(NODE_MODULES, 'kubernetes-models', ...doc.apiVersion.split('/'), `${doc.kind}.d.ts`);
  const out = [];
  walk(doc, file, doc.kind, out);
  return out;
}
