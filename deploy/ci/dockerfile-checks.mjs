#!/usr/bin/env node
// Checks what the Dockerfile must promise, on dockerfile-ast's parse: multi-stage, non-root runtime, HEALTHCHECK, prod deps only, sources in the build context.
//
// dockerfile-utils (the linter CI installs, see .ci/deploy.sh) checks instructions and flags; this checks our
// contract. Usage: LISTWARDEN_CI_TOOLS=/opt/listwarden-ci-tools node deploy/ci/dockerfile-checks.mjs Dockerfile [.dockerignore]

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const tools = process.env.LISTWARDEN_CI_TOOLS ?? '/opt/listwarden-ci-tools';
const { DockerfileParser } = createRequire(join(tools, 'node_modules', 'x.js'))('dockerfile-ast');
const [file = 'Dockerfile', ignoreFile = '.dockerignore'] = process.argv.slice(2);
const df = DockerfileParser.parse(readFileSync(file, 'utf8'));
const problems = [];
const check = (ok, what) => {
  if (!ok) problems.push(what);
};

const instructions = df.getInstructions();
const stages = [];
for (const i of instructions) {
  const kw = i.getKeyword();
  if (kw === 'FROM') {
    const args = i.getArguments().map((a) => a.getValue());
    const as = args.findIndex((a) => a.toUpperCase() === 'AS');
    stages.push({ name: as >= 0 ? args[as + 1] : undefined, image: args[0], body: [] });
  } else if (stages.length) {
    const flags = Object.fromEntries((typeof i.getFlags === 'function' ? i.getFlags() : []).map((f) => [f.getName(), f.getValue()]));
    stages.at(-1).body.push({ kw, text: i.getTextContent(), args: i.getArguments().map((a) => a.getValue()), flags });
  }
}
check(stages.length >= 2, 'a multi-stage build (two FROM … AS stages or more)');
const names = new Set(stages.map((s) => s.name).filter(Boolean));
const final = stages.at(-1) ?? { body: [] };

for (const st of stages) {
  for (const b of st.body.filter((x) => x.kw === 'COPY')) {
    const from = b.flags.from;
    if (from) check(names.has(from), `COPY --from=${from} names a stage defined above`);
  }
}
const users = final.body.filter((b) => b.kw === 'USER').map((b) => b.args[0]);
check(users.length > 0 && !['root', '0', '0:0'].includes(users.at(-1)), 'the final stage runs as a non-root USER');
check(final.body.some((b) => b.kw === 'HEALTHCHECK' && !/\bNONE\b/.test(b.text)), 'the final stage has a HEALTHCHECK');
check(final.body.some((b) => b.kw === 'ENTRYPOINT' || b.kw === 'CMD'), 'the final stage has an ENTRYPOINT or CMD');
// The CLI itself (exec form), so its shebang's heap flags apply to `docker run … replay` as to `npx listwarden replay`.
check(final.body.some((b) => b.kw === 'ENTRYPOINT' && /^\[\s*"\/app\/dist\/cli\.js"\s*\]$/.test(b.text.replace(/^ENTRYPOINT\s+/i, ''))), 'ENTRYPOINT ["/app/dist/cli.js"] (the CLI through its shebang)');
check(!final.body.some((b) => b.kw === 'RUN' && /npm (ci|install)(?!.*--omit=dev)/.test(b.text)), 'the final stage installs no dev dependencies');

// Every source a COPY takes from the build context must exist and not be excluded by .dockerignore.
if (existsSync(ignoreFile)) {
  const rules = readFileSync(ignoreFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const glob = (p) => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*') + '(/.*)?$');
  const included = (path) => {
    let keep = true;
    for (const r of rules) {
      const neg = r.startsWith('!');
      if (glob(neg ? r.slice(1) : r).test(path)) keep = neg;
    }
    return keep;
  };
  for (const st of stages) {
    for (const b of st.body.filter((x) => x.kw === 'COPY' && x.flags.from === undefined)) {
      const srcs = b.args.slice(0, -1);
      for (const src of srcs) {
        check(existsSync(src), `COPY source ${src} exists`);
        check(included(src.replace(/\/$/, '')) || included(`${src.replace(/\/$/, '')}/x`), `COPY source ${src} is not excluded by ${ignoreFile}`);
      }
    }
  }
}

if (problems.length) {
  for (const p of problems) process.stderr.write(`dockerfile-checks: ${file}: missing: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`dockerfile-checks: ${file}: ok (${stages.length} stage(s): ${stages.map((s) => s.name ?? s.image).join(' → ')}; runs as ${users.at(-1)})\n`);
