// Reads every YAML document under some folders of the repository, for the static checks
// of manifests (manifests.test.mjs, k8s_manifests.test.mjs). Parse errors and warnings
// (duplicate keys included) throw, naming the file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseAllDocuments } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function yamlFiles(dir) {
  const abs = join(ROOT, dir);
  const out = [];
  for (const name of readdirSync(abs)) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(relative(ROOT, p)));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out.sort();
}

// -> [{file (relative to the repository), doc}], empty documents left out.
export function loadYamlDocs(dirs) {
  const docs = [];
  for (const dir of dirs) {
    for (const file of yamlFiles(dir)) {
      const where = relative(ROOT, file);
      for (const d of parseAllDocuments(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true })) {
        if (d.errors.length) throw new Error(`${where}: ${d.errors.map((e) => e.message).join('; ')}`);
        if (d.warnings.length) throw new Error(`${where}: ${d.warnings.map((e) => e.message).join('; ')}`);
        const doc = d.toJS();
        if (doc !== null && doc !== undefined) docs.push({ file: where, doc });
      }
    }
  }
  return docs;
}

// Lookups over such a list: every document of a kind (and name), or exactly one.
export function finder(docs, assert) {
  const find = (kind, name) => docs.filter((d) => d.doc.kind === kind && (!name || d.doc.metadata?.name === name));
  const one = (kind, name) => {
    const found = find(kind, name);
    assert.equal(found.length, 1, `exactly one ${kind}${name ? ` named ${name}` : ''} (found ${found.map((f) => f.file).join(', ') || 'none'})`);
    return found[0].doc;
  };
  return { find, one };
}
