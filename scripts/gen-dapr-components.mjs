#!/usr/bin/env node
// Writes dapr-components/ (what a local `dapr run -f .` needs: the Kafka pub/sub on
// localhost without SASL/TLS, and the resiliency policies) from charts/todo-platform, the
// one source of truth: the chart rendered with LOCAL below, its pub/sub Component and
// Resiliency kept, Helm's labels dropped. tests/integration/manifests.test.mjs fails when
// the files and the chart disagree. Run: node scripts/gen-dapr-components.mjs [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { stringify } from '../tests/integration/node_modules/yaml/dist/index.js';
import { render } from '../tests/integration/chart.mjs';
import { ROOT } from '../tests/integration/yaml_docs.mjs';

// Local Kafka (e.g. `docker run -p 9092:9092 apache/kafka`), no credentials to read.
export const LOCAL = {
  'dapr.pubsub.brokers': 'localhost:9092',
  'dapr.pubsub.authType': 'none',
  'dapr.pubsub.tls': 'false',
  'dapr.statestore.enabled': 'false',
  'networkPolicy.enabled': 'false',
};

const HEADER = (what) => `# ${what}
# Generated from charts/todo-platform by scripts/gen-dapr-components.mjs (the chart is the
# one source of truth): change the chart, then run \`node scripts/gen-dapr-components.mjs\`.
`;

// -> {file: text} for dapr-components/.
export function generate() {
  const docs = render({ set: LOCAL }).map((d) => d.doc);
  const strip = (doc) => {
    const copy = structuredClone(doc);
    delete copy.metadata.labels;
    return copy;
  };
  const pubsub = docs.find((d) => d.kind === 'Component' && d.spec.type === 'pubsub.kafka');
  const resiliency = docs.find((d) => d.kind === 'Resiliency');
  return {
    'kafka-pubsub.yaml': HEADER('Dapr pub/sub for a local `dapr run -f .`: Kafka on localhost:9092, one consumer group per app id.') + stringify(strip(pubsub), { lineWidth: 0 }),
    'resiliency.yaml': HEADER('Resiliency of the pub/sub (publish: fail fast; delivery: exponential retries, then the dead-letter topic).') + stringify(strip(resiliency), { lineWidth: 0 }),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(generate())) {
    const path = join(ROOT, 'dapr-components', file);
    if (check) {
      let current = '';
      try { current = readFileSync(path, 'utf8'); } catch { /* missing */ }
      if (current !== text) { console.error(`dapr-components/${file} differs from the chart`); stale++; }
    } else writeFileSync(path, text);
  }
  process.exit(stale ? 1 : 0);
}
