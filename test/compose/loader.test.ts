import { describe, expect, it } from 'vitest';
import { env, inputError, load, service } from './helpers.js';

describe('environment detection', () => {
  it('makes default = base + override and one environment per overlay without the override', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    image: base\n',
      'compose.override.yml': 'services:\n  w:\n    image: dev\n',
      'compose.prod.yaml': 'services:\n  w:\n    environment: [A=1]\n',
      'docker-compose.staging.yml': 'services:\n  w:\n    environment: [B=2]\n',
      'compose.yml': 'services: {}\n',
    });
    expect(project.environments.map((e) => [e.name, e.files])).toEqual([
      ['default', ['compose.yaml', 'compose.override.yml']],
      ['prod', ['compose.yaml', 'compose.prod.yaml']],
      ['staging', ['compose.yaml', 'docker-compose.staging.yml']],
    ]);
    expect(service(project, 'default', 'w').image).toBe('dev');
    expect(service(project, 'prod', 'w').image).toBe('base');
    expect(env(service(project, 'prod', 'w'))).toEqual({ A: '1' });
  });

  it('prefers compose.yaml over docker-compose.yml as the base', () => {
    const project = load({ 'docker-compose.yml': 'services: {a: {image: old}}\n', 'compose.yaml': 'services: {a: {image: new}}\n' });
    expect(project.environments[0]!.files).toEqual(['compose.yaml']);
  });

  it('uses explicit environments instead of detection', () => {
    const project = load(
      { 'compose.yaml': 'services: {a: {image: x}}\n', 'deploy/eu.yml': 'services: {a: {image: eu}}\n', 'compose.prod.yml': 'services: {}\n' },
      { environments: [{ name: 'eu', files: ['compose.yaml', 'deploy/eu.yml'], profiles: ['p'] }] },
    );
    expect(project.environments.map((e) => e.name)).toEqual(['eu']);
    expect(project.environments[0]!.profiles).toEqual(['p']);
    expect(service(project, 'eu', 'a').image).toBe('eu');
  });

  it('without a base file, each compose.<name>.yaml is an environment of its own', () => {
    const project = load({ 'compose.prod.yml': 'services: {w: {image: p}}\n', 'docker-compose.dev.yml': 'services: {w: {image: d}}\n' });
    expect(project.environments.map((e) => [e.name, e.files])).toEqual([
      ['dev', ['docker-compose.dev.yml']],
      ['prod', ['compose.prod.yml']],
    ]);
    expect(service(project, 'prod', 'w').image).toBe('p');
  });

  it('is an input error when the dir has neither a base file nor an overlay', () => {
    const error = inputError(() => load({ 'compose.override.yml': 'services: {}\n' }));
    expect(error.message).toContain('/project');
    expect(error.message).toContain('no compose file');
  });

  it('activates --profile, else COMPOSE_PROFILES from .env', () => {
    const files = { 'compose.yaml': 'services:\n  w:\n    image: x\n    profiles: [jobs]\n', '.env': 'COMPOSE_PROFILES=jobs, extra\n' };
    expect(load(files).environments[0]!.profiles).toEqual(['jobs', 'extra']);
    expect(load(files, { profiles: ['web'] }).environments[0]!.profiles).toEqual(['web']);
    expect(service(load(files), 'default', 'w').profiles).toEqual(['jobs']);
  });
});

describe('merging files', () => {
  const base = `services:
  w:
    image: app
    command: ["rq", "worker", "high"]
    entrypoint: /bin/sh -c
    environment:
      A: "1"
      B: "2"
    profiles: [one]
    labels: [x=1]
    deploy:
      resources: {limits: {cpus: "1"}}
`;

  it('replaces command/entrypoint, merges environment by key across list and map forms, appends profiles', () => {
    const project = load({
      'compose.yaml': base,
      'compose.prod.yaml': `services:
  w:
    command: rq worker low
    environment:
      - B=two
      - C
    profiles: [two, one]
    deploy:
      replicas: 2
`,
    });
    const worker = service(project, 'prod', 'w');
    expect(worker.command?.value).toBe('rq worker low');
    expect(worker.command?.location).toEqual({ file: 'compose.prod.yaml', line: 3, column: 5 });
    expect(worker.entrypoint?.value).toBe('/bin/sh -c');
    expect(env(worker)).toEqual({ A: '1', B: 'two', C: null });
    expect(worker.environment.B!.location).toEqual({ file: 'compose.prod.yaml', line: 5, column: 9 });
    expect(worker.environment.A!.location).toEqual({ file: 'compose.yaml', line: 7, column: 7 });
    expect(worker.profiles).toEqual(['one', 'two']);
    expect(worker.replicas).toBe(2);
    expect(worker.location.file).toBe('compose.prod.yaml');
  });

  it('keeps the last of duplicate list entries in one file', () => {
    const project = load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    environment: [A=1, A=2]\n' });
    expect(env(service(project, 'default', 'w'))).toEqual({ A: '2' });
  });

  it('a later null leaves the value, a later exec array replaces a shell string', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    image: x\n    command: a b\n',
      'compose.override.yaml': 'services:\n  w:\n    image:\n    command: [c, d]\n',
    });
    const worker = service(project, 'default', 'w');
    expect(worker.image).toBe('x');
    expect(worker.command?.value).toEqual(['c', 'd']);
  });

  it('!reset removes a value and an environment key, checked by tag not value', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    image: x\n    command: rq worker\n    environment:\n      RQ_QUEUES: a,b\n      KEEP: "1"\n    profiles: [p]\n',
      'compose.override.yaml': 'services:\n  w:\n    command: !reset null\n    profiles: !reset []\n    environment:\n      RQ_QUEUES: !reset null\n',
    });
    const worker = service(project, 'default', 'w');
    expect(worker.command).toBeUndefined();
    expect(worker.profiles).toEqual([]);
    expect(env(worker)).toEqual({ KEEP: '1' });
  });

  it('!override replaces instead of merging', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    image: x\n    environment: {A: "1", B: "2"}\n    profiles: [a]\n',
      'compose.override.yaml': 'services:\n  w:\n    environment: !override\n      C: "3"\n    profiles: !override [b]\n',
    });
    const worker = service(project, 'default', 'w');
    expect(env(worker)).toEqual({ C: '3' });
    expect(worker.profiles).toEqual(['b']);
  });

  it('a map and a list cannot override each other outside the merge-by-key attributes', () => {
    const error = inputError(() =>
      load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    ports: ["80:80"]\n', 'compose.override.yml': 'services:\n  w:\n    ports: {a: 1}\n' }),
    );
    expect(error.location?.file).toBe('compose.override.yml');
  });
});

describe('interpolation', () => {
  const compose = `services:
  w:
    image: x
    environment:
      A: \${A}
      B: \${UNSET:-dflt}
      C: \${EMPTY-hard}
      D: \${A:+alt}
      E: $$literal
      F: \${UNSET}-\${ALSO_UNSET}
      G: \${UNSET:-\${A:-x}}
    deploy:
      replicas: \${REPLICAS}
    scale: "\${SCALE:-0}"
    x-note: keep
`;

  it('reads .env, lets --var win, and tracks unset variables', () => {
    const project = load({ 'compose.yaml': compose, '.env': 'A=from-env\nEMPTY=\nREPLICAS=3\n' }, { vars: { A: 'from-var' } });
    const worker = service(project, 'default', 'w');
    expect(env(worker)).toEqual({ A: 'from-var', B: 'dflt', C: '', D: 'alt', E: '$literal', F: '-', G: 'from-var' });
    expect(worker.environment.F!.unsetVariables).toEqual(['UNSET', 'ALSO_UNSET']);
    expect(worker.environment.B!.unsetVariables).toEqual([]);
    expect(worker.replicas).toBe(3);
    expect(worker.scale).toBe(0);
  });

  it('the shell environment takes part only when given, and wins over .env', () => {
    const files = { 'compose.yaml': compose, '.env': 'A=from-env\nREPLICAS=1\n' };
    expect(env(service(load(files), 'default', 'w')).A).toBe('from-env');
    expect(env(service(load(files, { shellEnv: { A: 'shell' } }), 'default', 'w')).A).toBe('shell');
  });

  it('uses --env-file instead of .env (later files win)', () => {
    const files = { 'compose.yaml': compose, '.env': 'A=dot\nREPLICAS=1\n', 'prod.env': 'A=prod\nREPLICAS=1\n', 'more.env': 'A=more\n' };
    expect(env(service(load(files, { envFiles: ['/project/prod.env', '/project/more.env'] }), 'default', 'w')).A).toBe('more');
  });

  it('a required variable that is missing is an input error at the value', () => {
    const error = inputError(() =>
      load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    environment:\n      T: ${TOKEN:?TOKEN must be set}\n' }),
    );
    expect(error.location).toEqual({ file: 'compose.yaml', line: 5, column: 10 });
    expect(error.message).toContain('TOKEN must be set');
  });

  it('interpolates x- extension blocks too (an error there fails), never keys', () => {
    const error = inputError(() => load({ 'compose.yaml': 'x-bad: ${NOPE?}\nservices: {w: {image: x}}\n' }));
    expect(error.location?.line).toBe(1);
    const project = load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    environment:\n      ${KEY}: v\n', '.env': 'KEY=k\n' });
    expect(env(service(project, 'default', 'w'))).toEqual({ '${KEY}': 'v' });
  });

  it('a bare KEY takes its value from the interpolation variables when set', () => {
    const project = load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    environment: [RQ_QUEUES, OTHER]\n', '.env': 'RQ_QUEUES=a,b\n' });
    expect(env(service(project, 'default', 'w'))).toEqual({ RQ_QUEUES: 'a,b', OTHER: null });
  });

  it('an invalid replicas value is an input error', () => {
    const error = inputError(() => load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    deploy:\n      replicas: two\n' }));
    expect(error.location?.line).toBe(5);
  });
});

describe('env_file', () => {
  it('loads string, list and {path, required} forms; environment wins; records file and line', () => {
    const project = load({
      'compose.yaml': `services:
  w:
    image: x
    env_file:
      - common.env
      - path: ./missing.env
        required: false
      - path: config/worker.env
    environment:
      SHARED: from-environment
`,
      'common.env': '# common\nSHARED=from-file\nRQ_QUEUES=a\n',
      'config/worker.env': 'export RQ_QUEUES="b,${SUFFIX:-c}"\n',
    });
    const worker = service(project, 'default', 'w');
    expect(env(worker)).toEqual({ SHARED: 'from-environment', RQ_QUEUES: 'b,c' });
    expect(worker.environment.RQ_QUEUES).toMatchObject({ source: 'env_file', location: { file: 'config/worker.env', line: 1 } });
    expect(worker.environment.SHARED!.source).toBe('environment');
  });

  it('a missing required env_file is an input error at the entry', () => {
    const error = inputError(() => load({ 'compose.yaml': 'services:\n  w:\n    image: x\n    env_file: nope.env\n' }));
    expect(error.location).toMatchObject({ file: 'compose.yaml', line: 4 });
  });
});

describe('extends', () => {
  it('extends a service of the same file and of another file', () => {
    const project = load({
      'compose.yaml': `services:
  base:
    image: app
    command: rq worker
    environment: {A: "1", RQ_QUEUES: high}
  worker:
    extends: base
    environment:
      RQ_QUEUES: high,default
  other:
    extends:
      file: common/base.yml
      service: tmpl
`,
      'common/base.yml': 'services:\n  tmpl:\n    build: ..\n    command: ["python", "-m", "w"]\n    env_file: w.env\n',
      'common/w.env': 'FROM_FILE=1\n',
    });
    const worker = service(project, 'default', 'worker');
    expect(worker.command?.value).toBe('rq worker');
    expect(env(worker)).toEqual({ A: '1', RQ_QUEUES: 'high,default' });
    expect(worker.environment.RQ_QUEUES!.location.line).toBe(9);
    const other = service(project, 'default', 'other');
    expect(other.command?.value).toEqual(['python', '-m', 'w']);
    expect(other.buildContext).toBe('.');
    expect(env(other)).toEqual({ FROM_FILE: '1' });
  });

  it('a missing file, an unknown service and a cycle are input errors', () => {
    const missing = inputError(() => load({ 'compose.yaml': 'services:\n  a:\n    extends: {file: nope.yml, service: b}\n' }));
    expect(missing.location?.file).toBe('compose.yaml');
    const unknown = inputError(() => load({ 'compose.yaml': 'services:\n  a:\n    extends: b\n' }));
    expect(unknown.location).toMatchObject({ file: 'compose.yaml', line: 3 });
    const cycle = inputError(() => load({ 'compose.yaml': 'services:\n  a:\n    extends: b\n  b:\n    extends: a\n' }));
    expect(cycle.message).toMatch(/cycle/);
    const crossFile = inputError(() =>
      load({ 'compose.yaml': 'services:\n  a:\n    extends: {file: b.yml, service: a}\n', 'b.yml': 'services:\n  a:\n    extends: {file: compose.yaml, service: a}\n' }),
    );
    expect(crossFile.message).toMatch(/cycle/);
  });
});

describe('YAML features and limits', () => {
  it('resolves anchors, aliases and merge keys (shallow, local keys win, first map of a list wins)', () => {
    const project = load({
      'compose.yaml': `x-env: &env
  RQ_QUEUES: high
  A: "1"
x-other: &other
  A: "other"
  B: "2"
x-svc: &svc
  image: app
  environment: *env
services:
  w:
    <<: [*svc, {command: rq worker}]
    environment:
      <<: [*env, *other]
      A: local
`,
    });
    const worker = service(project, 'default', 'w');
    expect(worker.image).toBe('app');
    expect(worker.command?.value).toBe('rq worker');
    expect(env(worker)).toEqual({ RQ_QUEUES: 'high', A: 'local', B: '2' });
    expect(worker.environment.RQ_QUEUES!.location.line).toBe(2);
  });

  it('duplicate keys and duplicate merge keys are errors', () => {
    expect(inputError(() => load({ 'compose.yaml': 'services:\n  w:\n    image: a\n    image: b\n' })).location?.line).toBe(4);
    const error = inputError(() => load({ 'compose.yaml': 'x: &x {a: 1}\nservices:\n  w:\n    <<: *x\n    <<: *x\n    image: a\n' }));
    expect(error.location?.line).toBe(5);
  });

  it('invalid YAML is an input error with file:line:col', () => {
    const error = inputError(() => load({ 'compose.yaml': 'services:\n  w:\n    image: [a\n  x: 1\n' }));
    expect(error.location?.file).toBe('compose.yaml');
    expect(error.location?.line).toBeGreaterThan(1);
  });

  it('an alias bomb is an input error, fast', () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) levels.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`);
    const error = inputError(() => load({ 'compose.yaml': `${levels.join('\n')}\nservices: {w: {image: x}}\n` }));
    expect(error.message).toMatch(/alias/);
  });

  it('accepts many aliases of a shared fragment (more than the yaml package default of 100)', () => {
    const services = Array.from({ length: 300 }, (_, i) => `  s${i}:\n    <<: *svc\n    environment: *env`).join('\n');
    const project = load({ 'compose.yaml': `x-svc: &svc\n  image: app\nx-env: &env\n  A: "1"\nservices:\n${services}\n` });
    expect(Object.keys(project.environments[0]!.services)).toHaveLength(300);
  });

  it('refuses oversized files', () => {
    const error = inputError(() => load({ 'compose.yaml': `services: {}\n#${'x'.repeat(10 * 1024 * 1024)}\n` }));
    expect(error.message).toMatch(/larger/);
  });

  it.each([
    ['services: [a]\n', 1],
    ['services:\n  w: 3\n', 2],
    ['services:\n  w:\n    command: 5\n', 3],
    ['services:\n  w:\n    command: {a: b}\n', 3],
    ['services:\n  w:\n    environment: FOO\n', 3],
    ['- a\n', 1],
  ])('an invalid compose model is an input error with a location: %j', (text, line) => {
    const error = inputError(() => load({ 'compose.yaml': text }));
    expect(error.location).toMatchObject({ file: 'compose.yaml', line });
  });
});

describe('include', () => {
  it('imports services of included projects, with their own dir and .env', () => {
    const project = load({
      'compose.yaml': 'include:\n  - sub/compose.yaml\n  - path: other/c.yml\n    env_file: other/vars.env\nservices:\n  api:\n    image: api\n',
      'sub/compose.yaml': 'services:\n  worker:\n    build: .\n    environment:\n      - RQ_QUEUES=${Q}\n',
      'sub/.env': 'Q=from-sub\n',
      'other/c.yml': 'services:\n  w2:\n    image: ${IMG}\n',
      'other/vars.env': 'IMG=img2\n',
    });
    const worker = service(project, 'default', 'worker');
    expect(env(worker)).toEqual({ RQ_QUEUES: 'from-sub' });
    expect(worker.location.file).toBe('sub/compose.yaml');
    expect(worker.buildContext).toBe('sub');
    expect(service(project, 'default', 'w2').image).toBe('img2');
  });

  it('resolves an included project against its project_directory', () => {
    const project = load({
      'compose.yaml': 'include:\n  - path: stacks/jobs/compose.yaml\n    project_directory: stacks\n',
      'stacks/jobs/compose.yaml': 'services:\n  worker:\n    build: ./app\n    env_file: jobs.env\n',
      'stacks/jobs.env': 'RQ_QUEUES=high\n',
    });
    const worker = service(project, 'default', 'worker');
    expect(worker.buildContext).toBe('stacks/app');
    expect(worker.environment.RQ_QUEUES).toMatchObject({ value: 'high', location: { file: 'stacks/jobs.env', line: 1 } });
  });

  it('the including project overrides a service it also defines; include cycles are errors', () => {
    const project = load({
      'compose.yaml': 'include: [inc.yml]\nservices:\n  w:\n    command: local\n',
      'inc.yml': 'services:\n  w:\n    image: inc\n    command: included\n',
    });
    expect(service(project, 'default', 'w')).toMatchObject({ image: 'inc', command: { value: 'local' } });
    const cycle = inputError(() => load({ 'compose.yaml': 'include: [a.yml]\nservices: {}\n', 'a.yml': 'include: [compose.yaml]\nservices: {}\n' }));
    expect(cycle.message).toMatch(/cycle/);
  });
});

describe('hostile input', () => {
  it.each([
    ['deep flow nesting', `services: ${'['.repeat(20000)}${']'.repeat(20000)}\n`],
    ['deep block nesting', `services:\n${Array.from({ length: 400 }, (_, i) => `${' '.repeat(i + 1)}a:`).join('\n')}\n`],
    ['binary', Buffer.from(Array.from({ length: 4000 }, (_, i) => (i * 7919) % 256)).toString('latin1')],
    ['empty', ''],
    ['comments only', '# nothing here\n'],
    ['tabs', 'services:\n\tw: {}\n'],
  ])('%s is an input error', (_name, text) => {
    expect(inputError(() => load({ 'compose.yaml': text })).location?.file).toBe('compose.yaml');
  });
});

describe('merge exceptions for list-or-map attributes', () => {
  it('merges extra_hosts and depends_on across list and map forms', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    image: x\n    extra_hosts: ["a=1.1.1.1"]\n    depends_on: [redis]\n  redis:\n    image: r\n',
      'compose.override.yaml': 'services:\n  w:\n    extra_hosts: {b: 2.2.2.2, a: 1.1.1.1}\n    depends_on: {redis: {condition: service_healthy}}\n    build: {dockerfile: D}\n',
    });
    expect(service(project, 'default', 'w').image).toBe('x');
  });

  it('a build string merged with a build mapping keeps the context', () => {
    const project = load({
      'compose.yaml': 'services:\n  w:\n    build: ./app\n',
      'compose.override.yaml': 'services:\n  w:\n    build:\n      dockerfile: Dockerfile.prod\n',
    });
    expect(service(project, 'default', 'w').buildContext).toBe('app');
  });
});
