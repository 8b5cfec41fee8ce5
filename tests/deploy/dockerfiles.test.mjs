// The Dockerfiles pass the static checks of dockerfiles.mjs, and each check can fail.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { dockerfileProblems } from './dockerfiles.mjs';

const root = new URL('../../', import.meta.url);
const FILES = ['Dockerfile', 'frontend/Dockerfile'];

for (const f of FILES) {
  test(`${f}: non-root numeric USER, tagged bases, OCI labels, no build tools in the final stage`, () => {
    assert.deepEqual(dockerfileProblems(readFileSync(new URL(f, root), 'utf8')), []);
  });
}

const GOOD = `FROM debian:12 AS build
RUN apt-get update && apt-get install -y g++ cmake
FROM debian:12-slim
LABEL org.opencontainers.image.revision=x org.opencontainers.image.source=y org.opencontainers.image.version=z
COPY --from=build /b /b
USER 10001:10001
`;

test('the checks pass a minimal good file and flag each rule broken on purpose', () => {
  assert.deepEqual(dockerfileProblems(GOOD), []);
  const cases = [
    [GOOD.replace('USER 10001:10001\n', ''), /no USER/],
    [GOOD.replace('USER 10001:10001', 'USER root'), /not a numeric non-root uid/],
    [GOOD.replace('USER 10001:10001', 'USER 0'), /not a numeric non-root uid/],
    [GOOD.replace('FROM debian:12-slim', 'FROM debian:latest'), /FROM debian:latest/],
    [GOOD.replace('FROM debian:12-slim', 'FROM debian'), /no tag/],
    [GOOD.replace(' org.opencontainers.image.revision=x', ''), /no LABEL org.opencontainers.image.revision/],
    [GOOD.replace('COPY --from', 'RUN apt-get install -y --no-install-recommends libpq-dev\nCOPY --from'), /build tool libpq-dev/],
    [GOOD.replace('COPY --from=build /b /b', 'COPY'), /line 5/],  // the linter: COPY needs arguments
  ];
  for (const [text, want] of cases) {
    const problems = dockerfileProblems(text);
    assert.ok(problems.some((p) => want.test(p)), `expected ${want} in ${JSON.stringify(problems)} for:\n${text}`);
  }
  // a stage name in FROM is not an untagged image
  assert.deepEqual(dockerfileProblems(GOOD.replace('FROM debian:12-slim', 'FROM build')), []);
});
