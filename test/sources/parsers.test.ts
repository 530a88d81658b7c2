/** The deployment-source readers on in-memory inputs: their dialects, positions and limits. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { memoryFileSystem } from '../../src/fs.js';
import { loadEnvironments } from '../../src/sources/index.js';
import { parseToml } from '../../src/sources/fly/toml.js';
import { expandKubernetesVariables, manifestEnvironment, parseManifests } from '../../src/sources/kubernetes/manifests.js';
import { readProcfile } from '../../src/sources/procfile/procfile.js';
import { parseEnvironmentSetting, readPrograms } from '../../src/sources/supervisord/conf.js';
import { readUnit, splitUnitWords } from '../../src/sources/systemd/unit.js';
import { inputError } from '../compose/helpers.js';

describe('Kubernetes', () => {
  it('expands $(VAR) as the kubelet does: defined names, $$ escapes, unknown names kept', () => {
    const lookup = (name: string) => ({ Q: 'high', EMPTY: '' })[name];
    expect(expandKubernetesVariables('rq worker $(Q)', lookup)).toBe('rq worker high');
    expect(expandKubernetesVariables('$$(Q) $(NOPE) $(EMPTY)x $Q $(', lookup)).toBe('$(Q) $(NOPE) x $Q $(');
  });

  it('env: values referencing earlier ones, configMapKeyRef, envFrom with prefix, Secrets unknown (null)', () => {
    const text = [
      'kind: ConfigMap\napiVersion: v1\nmetadata: {name: cfg, namespace: app}\ndata: {QUEUES: "high default", OTHER: x}',
      '---',
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata: {name: backfill, namespace: app}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: run',
      '          envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}, {secretRef: {name: s}}]',
      '          env:',
      '            - {name: A, value: "$(CFG_OTHER)-1"}',
      '            - name: Q',
      '              valueFrom: {configMapKeyRef: {name: cfg, key: QUEUES}}',
      '            - name: TOKEN',
      '              valueFrom: {secretKeyRef: {name: s, key: token}}',
      '          args: [rq, worker, "$(A)"]',
    ].join('\n');
    const { environment } = manifestEnvironment('default', 'kubernetes', ['m.yaml'], parseManifests(text, 'm.yaml'));
    const [service] = environment.services;
    expect(service!.name).toBe('backfill');
    expect(service!.command).toEqual({ argv: ['rq', 'worker', 'x-1'], location: { file: 'm.yaml', line: 21, column: 11 } });
    expect(service!.environment.Q).toMatchObject({ value: 'high default', location: { line: 4 } });
    expect(service!.environment.CFG_OTHER?.value).toBe('x');
    expect(service!.environment.TOKEN?.value).toBeNull();
  });

  it('kind: List items, CronJob suspend, ReplicaSet replicas: 0, a Pod', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: batch/v1
    kind: CronJob
    metadata: {name: nightly}
    spec: {suspend: true, jobTemplate: {spec: {template: {spec: {containers: [{name: c, args: [rq, worker]}]}}}}}
  - apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: rs}
    spec: {replicas: 0, template: {spec: {containers: [{name: c}]}}}
  - apiVersion: v1
    kind: Pod
    metadata: {name: debug}
    spec: {containers: [{name: a}, {name: b}]}
`;
    const { environment } = manifestEnvironment('default', 'kubernetes', [], parseManifests(text, 'l.yaml'));
    expect(environment.services.map((service) => [service.name, service.inactiveReason ?? null])).toEqual([
      ['nightly', 'the CronJob is suspended (`suspend: true`)'],
      ['rs', 'it has `replicas: 0`'],
      ['debug/a', null],
      ['debug/b', null],
    ]);
  });

  it('bad manifests are input errors at their line', () => {
    const notList = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      args: rq worker\n';
    const error = inputError(() => manifestEnvironment('d', 'kubernetes', [], parseManifests(notList, 'p.yaml')));
    expect(error.location).toMatchObject({ file: 'p.yaml', line: 7 });
    expect(inputError(() => parseManifests('a: [1, 2\n', 'x.yaml')).message).toMatch(/invalid YAML/);
  });

  it('discovers k8s/ as one `default` environment when its subdirs are components, not environments', async () => {
    const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {template: {spec: {containers: [{name: c, args: [rq, worker]}]}}}\n`;
    const fs = memoryFileSystem({ '/p/k8s/api/deploy.yaml': deployment('api'), '/p/k8s/worker/deploy.yaml': deployment('worker'), '/p/k8s/notes.yaml': 'a: 1\n' });
    const environments = await loadEnvironments(fs, '/p', {});
    expect(environments.map((environment) => [environment.name, environment.services.map((service) => service.name)])).toEqual([['default', ['api', 'worker']]]);
  });
});

describe('Procfile', () => {
  it('reads name: command lines, skips comments and junk, keeps the last of a name', () => {
    const environment = readProcfile('# c\nweb: gunicorn app\nnot a process\nworker:   rq worker a  \r\nworker: rq worker b\n', 'Procfile', 'default');
    expect(environment.services.map((service) => [service.name, service.command?.argv, service.command?.location])).toEqual([
      ['web', ['sh', '-c', 'gunicorn app'], { file: 'Procfile', line: 2, column: 6 }],
      ['worker', ['sh', '-c', 'rq worker b'], { file: 'Procfile', line: 5, column: 9 }],
    ]);
  });
});

describe('systemd', () => {
  it('splits words with quotes and C escapes', () => {
    expect(splitUnitWords(`/bin/rq worker "a b" 'c d' e\\x41 "q\\"x" \\s`).map((word) => word.word)).toEqual([
      '/bin/rq', 'worker', 'a b', 'c d', 'eA', 'q"x', ' ',
    ]);
  });

  it('prefixes, $VAR word splitting, ${VAR} in a word, `:` without expansion, drop-ins resetting ExecStart', () => {
    const fs = memoryFileSystem({
      '/p/w.service': '[Service]\nEnvironment=QS="high low" ONE=x\nExecStart=-+/usr/bin/rq worker $QS pre-${ONE}\n',
      '/p/w.service.d/10-override.conf': '[Service]\nExecStart=\nExecStart=:/usr/bin/rq worker $QS\n',
      '/p/v.service': '[Service]\nEnvironment=QS="high low"\nExecStart=!!/usr/bin/rq worker $QS pre-${QS}\n',
    });
    const w = readUnit(fs, '/p', 'w.service', fs.readFile('/p/w.service'))!;
    expect(w.command).toEqual({ argv: ['/usr/bin/rq', 'worker', '$QS'], location: { file: 'w.service.d/10-override.conf', line: 3 } });
    const v = readUnit(fs, '/p', 'v.service', fs.readFile('/p/v.service'))!;
    expect(v.command?.argv).toEqual(['/usr/bin/rq', 'worker', 'high', 'low', 'pre-high low']);
  });
});

describe('supervisord', () => {
  it('environment= pairs with quotes and commas', () => {
    expect(parseEnvironmentSetting('A="x, y",B=2, C=\'q=1\'')).toEqual([
      ['A', 'x, y'],
      ['B', '2'],
      ['C', 'q=1'],
    ]);
  });

  it('programs: continuation lines, inline comments, %(program_name)s, autostart=false', () => {
    const services = readPrograms(
      '[program:w]\ncommand=rq worker ; a comment\n  --name %(program_name)s_%(process_num)02d high\nautostart=false\n[eventlistener:x]\ncommand=y\n',
      'supervisord.conf',
    );
    expect(services.map((service) => [service.name, service.command?.argv, service.inactiveReason])).toEqual([
      ['w', ['rq', 'worker', '--name', 'w_00', 'high'], 'it has `autostart=false`'],
    ]);
  });
});

describe('TOML (fly.toml)', () => {
  it('tables, arrays of tables, dotted keys, strings of every kind, positions', () => {
    const document = parseToml(
      'a = "x\\u00e9\\n"\n[processes]\nworker = \'rq worker\'\nweb."nested key" = """\nmulti\nline"""\n[[vm]]\nsize = 1\n[[vm]]\nsize = 2.5\nlist = [1, [2, 3], {k = "v"}] # comment\nwhen = 1979-05-27 07:32:00Z\n',
      'fly.toml',
    );
    expect(document.entries.get('a')?.value).toMatchObject({ kind: 'string', value: 'xé\n' });
    const processes = document.entries.get('processes')!.value;
    expect(processes.kind === 'table' && processes.entries.get('worker')).toMatchObject({ value: { value: 'rq worker' }, location: { line: 3, column: 1 } });
    const vm = document.entries.get('vm')!.value;
    expect(vm.kind === 'array' && vm.items.length).toBe(2);
  });

  it('errors at file:line:col: duplicate keys, redefined tables, unterminated strings, bad values, deep nesting', () => {
    expect(inputError(() => parseToml('a = 1\na = 2\n', 'f.toml')).location).toMatchObject({ line: 2 });
    expect(inputError(() => parseToml('[t]\n[t]\n', 'f.toml')).message).toMatch(/defined twice/);
    expect(inputError(() => parseToml('a = "x\n', 'f.toml')).message).toMatch(/newline in a string/);
    expect(inputError(() => parseToml('a = nope\n', 'f.toml')).message).toMatch(/invalid value/);
    expect(inputError(() => parseToml(`a = ${'['.repeat(5000)}`, 'f.toml')).message).toMatch(/nested more than/);
  });
});
