// Static checks of a Dockerfile (tests/deploy/dockerfiles.test.mjs): parsed with
// dockerfile-ast and linted with dockerfile-utils (the parser and linter of the Dockerfile
// language server), then the rules of issue 13 applied to what runs, the final stage:
//   - it runs as a non-root numeric user (USER 10001, so runAsNonRoot can verify it);
//   - no base image is `latest` or untagged (a stage name is not an image);
//   - OCI labels org.opencontainers.image.{revision,source,version};
//   - no compiler or build tool installed in it (only the runtime libraries).
// Returns a list of problems (strings), empty when the file passes.
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

const BUILD_TOOLS = /\b(g\+\+|gcc|clang|cmake|ninja-build|make|build-essential|[\w.+-]+-dev)\b/;
const REQUIRED_LABELS = ['org.opencontainers.image.revision', 'org.opencontainers.image.source', 'org.opencontainers.image.version'];

export function dockerfileProblems(text) {
  const problems = [];
  for (const d of validate(text)) {
    if (d.severity === 1) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);  // 1 = error
  }
  const file = DockerfileParser.parse(text);
  const froms = file.getFROMs();
  if (!froms.length) return [...problems, 'no FROM'];
  const stages = new Set(froms.map((f) => f.getBuildStage()).filter(Boolean));
  for (const f of froms) {
    const image = f.getImageName();
    if (stages.has(image)) continue;
    const tag = f.getImageTag();
    if (!tag && !f.getImageDigest()) problems.push(`FROM ${image}: no tag (means latest)`);
    if (tag === 'latest') problems.push(`FROM ${image}:latest`);
  }
  // The final stage: the instructions after the last FROM.
  const last = froms[froms.length - 1];
  const lastLine = last.getRange().start.line;
  const final = file.getInstructions().filter((i) => i.getRange().start.line > lastLine);
  const users = final.filter((i) => i.getKeyword() === 'USER');
  const user = users.length ? users[users.length - 1].getArgumentsContent().trim() : null;
  if (!user) problems.push('final stage: no USER (runs as root)');
  else if (!/^[1-9]\d*(:[1-9]\d*)?$/.test(user)) problems.push(`final stage: USER ${user} is not a numeric non-root uid`);
  const labels = new Set();
  for (const i of final.filter((x) => x.getKeyword() === 'LABEL')) {
    for (const p of i.getProperties()) labels.add(p.getName());
  }
  for (const l of REQUIRED_LABELS) if (!labels.has(l)) problems.push(`final stage: no LABEL ${l}`);
  for (const i of final.filter((x) => x.getKeyword() === 'RUN')) {
    const installs = /apt-get[^&;|]*install([^&;|]*)/g;
    for (const m of i.getArgumentsContent().matchAll(installs)) {
      const tool = m[1].split(/\s+/).find((w) => BUILD_TOOLS.test(w) && !w.startsWith('-'));
      if (tool) problems.push(`final stage: installs the build tool ${tool}`);
    }
  }
  return problems;
}
