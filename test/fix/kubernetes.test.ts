/**
 * `fix` on Kubernetes manifests and kustomize overlays (in memory; kustomize renders with the real kubectl): the
 * edit kinds for a container's `env` value, a ConfigMap key, `args`/`command` lists and configMapGenerator
 * literals, each edit only inside its span, and the places left alone (a shared ConfigMap key, a Secret, a base
 * other overlays share, helm output).
 */
import { describe, expect, it } from 'vitest';
import { planIn, producer } from './helpers.js';

const tasks = producer('default');

/** A Deployment `worker` with one container; `container` is its body below `- name: worker` (10 spaces in). */
const deployment = (name: string, container: string[]) =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    `        - name: ${name}`,
    '          image: ghcr.io/example/receipts:1.4.2',
    ...container.map((line) => `          ${line}`),
    '',
  ].join('\n');

const configMap = (name: string, data: string[]) => ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: ${name}`, 'data:', ...data.map((line) => `  ${line}`), ''].join('\n');

const web = (container: string[]) => deployment('web', ['args: ["gunicorn", "app:wsgi"]', ...container]);

/** Byte identity outside the edits: the text before the first and after the last edited offset is the original's. */
function expectOutsideUnchanged(original: string, updated: string, edits: { start: number; end: number; text: string }[]) {
  const first = Math.min(...edits.map((edit) => edit.start));
  const last = Math.max(...edits.map((edit) => edit.end));
  const grown = edits.reduce((sum, edit) => sum + edit.text.length - (edit.end - edit.start), 0);
  expect(updated.slice(0, first)).toBe(original.slice(0, first));
  expect(updated.slice(last + grown)).toBe(original.slice(last));
  expect(updated.length).toBe(original.length + grown);
}

async function fixed(files: Record<string, string>, options: Parameters<typeof planIn>[1] = {}) {
  const result = await planIn(files, options);
  for (const change of result.changes) {
    expectOutsideUnchanged(change.original, change.updated, result.fixes.flatMap((fix) => fix.edits).filter((edit) => edit.file === change.file));
  }
  return result;
}

/** The same project after the changes: a second run plans nothing. */
async function expectIdempotent(files: Record<string, string>, result: Awaited<ReturnType<typeof planIn>>) {
  const after = { ...files, ...Object.fromEntries(result.changes.map((change) => [change.file, change.updated])) };
  const second = await planIn(after);
  expect(second.fixes).toEqual([]);
  expect(second.skipped).toEqual([]);
  expect(second.changes).toEqual([]);
}

describe('fix: Kubernetes env entries and ConfigMap keys', () => {
  it('an `env` value, inside its own document of a multi-document file', async () => {
    const manifest = [
      '# workers',
      configMap('other', ['RQ_QUEUES: "unrelated"']),
      '---',
      deployment('worker', ['command: ["/bin/sh", "-c", "exec rq worker $RQ_QUEUES"]', 'env:', '  - name: RQ_QUEUES', '    value: "high"  # keep', '  - {name: LOG_LEVEL, value: info}']),
    ].join('\n');
    const files = { 'k8s/worker.yaml': manifest, 'app.py': tasks };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    // `$RQ_QUEUES` is word-split by the shell: one name gets a space.
    expect(result.changes[0]!.updated).toBe(manifest.replace('value: "high"  # keep', 'value: "high default"  # keep'));
    expect(result.fixes[0]!.description).toBe('Add `default` to RQ_QUEUES of container `worker` in k8s/worker.yaml:23 (service `worker`, environment `default`).');
    await expectIdempotent(files, result);
  });

  it('a flow-map `env` value read whole by a worker script gets a comma', async () => {
    const manifest = deployment('worker', ['command: [python, -m, worker]', 'env:', '  - {name: RQ_QUEUES, value: "high,low"}']);
    const files = { 'k8s/worker.yaml': manifest, 'app.py': tasks, 'worker.py': 'import os\nfrom rq import Worker\nqueues = os.environ.get("RQ_QUEUES", "high").split(",")\nWorker(queues).work()\n' };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    expect(result.changes[0]!.updated).toBe(manifest.replace('"high,low"', '"high,low,default"'));
  });

  it('a ConfigMap key read by configMapKeyRef, only by this worker', async () => {
    const manifest = [
      configMap('receipts', ['RQ_QUEUES: high', 'LOG_LEVEL: info']),
      '---',
      deployment('worker', ['args: ["sh", "-c", "rq worker $QUEUES"]', 'env:', '  - name: QUEUES', '    valueFrom:', '      configMapKeyRef: {name: receipts, key: RQ_QUEUES}']),
      '---',
      web(['env:', '  - name: LOG_LEVEL', '    valueFrom:', '      configMapKeyRef: {name: receipts, key: LOG_LEVEL}']),
    ].join('\n');
    const files = { 'k8s/all.yaml': manifest, 'app.py': tasks };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    expect(result.changes[0]!.updated).toBe(manifest.replace('RQ_QUEUES: high', 'RQ_QUEUES: high default'));
    expect(result.fixes[0]!.description).toContain('key `RQ_QUEUES` of ConfigMap `receipts` in k8s/all.yaml:6');
    await expectIdempotent(files, result);
  });

  it('envFrom a ConfigMap whose key another container also reads is left alone (shared)', async () => {
    const files = {
      'k8s/config.yaml': configMap('receipts', ['RQ_QUEUES: "high"']),
      'k8s/worker.yaml': deployment('worker', ['command: ["/bin/sh", "-c", "exec rq worker $RQ_QUEUES"]', 'envFrom:', '  - configMapRef: {name: receipts}']),
      // The web reads the same key under its own name (to show the queues on a status page).
      'k8s/web.yaml': web(['env:', '  - name: SHOWN_QUEUES', '    valueFrom:', '      configMapKeyRef:', '        name: receipts', '        key: RQ_QUEUES']),
      'app.py': tasks,
    };
    const result = await fixed(files);
    expect(result.changes).toEqual([]);
    expect(result.skipped.map((skip) => skip.reason)).toEqual([
      'key `RQ_QUEUES` of ConfigMap `receipts` (k8s/config.yaml) is also read by Deployment web container web (k8s/web.yaml)',
    ]);
    expect(result.skipped[0]!.decide).toContain('its own `env` value or ConfigMap');
  });

  it('a ConfigMap mounted as a volume by another workload is shared too', async () => {
    const files = {
      'k8s/config.yaml': configMap('receipts', ['RQ_QUEUES: "high"']),
      'k8s/worker.yaml': deployment('worker', ['command: ["/bin/sh", "-c", "exec rq worker $RQ_QUEUES"]', 'envFrom:', '  - configMapRef: {name: receipts}']),
      'k8s/web.yaml': web([]).replace('      containers:\n', '      volumes:\n        - name: config\n          configMap: {name: receipts}\n      containers:\n'),
      'app.py': tasks,
    };
    const result = await fixed(files);
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toContain('is also read by Deployment web container web');
  });

  it('a value from a Secret is never read or edited, and the reason says so', async () => {
    const manifest = deployment('worker', ['args: [rq, worker, "$(RQ_QUEUES)"]', 'env:', '  - name: RQ_QUEUES', '    valueFrom:', '      secretKeyRef: {name: receipts, key: queues}']);
    const result = await fixed({ 'k8s/worker.yaml': manifest, 'app.py': tasks });
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toBe(
      'the queues of `worker` are `$(RQ_QUEUES)`, set at run time (a Secret or the downward API), which fix never reads or edits',
    );
  });
});

describe('fix: Kubernetes args and command lists', () => {
  it.each([
    ['block args', ['command: [rq]', 'args:', '  - worker', '  - high', '  - low  # slow jobs', 'env: []'], ['  - low  # slow jobs', '  - low  # slow jobs\n            - default']],
    ['flow command', ['command: ["rq", "worker", "high", "low"]'], ['"low"]', '"low", "default"]']],
    ['queues in command, flags in args', ['command: ["rq", "worker", "high"]', 'args: ["--with-scheduler"]'], ['"high"]', '"high", "default"]']],
    ['celery -Q', ['args: [celery, -A, app, worker, -Q, "high,low", -c, "2"]'], ['"high,low"', '"high,low,default"']],
    ['sh -c string', ['command: ["/bin/sh", "-c"]', 'args:', '  - exec rq worker --with-scheduler high'], ['scheduler high', 'scheduler high default']],
  ])('%s', async (_label, container, [from, to]) => {
    const manifest = `# one worker\n---\n${deployment('worker', container)}`;
    const files = { 'k8s/worker.yaml': manifest, 'app.py': tasks };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    expect(result.changes[0]!.updated).toBe(manifest.replace(from!, to!));
    await expectIdempotent(files, result);
  });

  it('`args: ["$(QUEUE)"]` from a ConfigMap key gets a new item (the kubelet passes the value as one word)', async () => {
    const manifest = [
      configMap('receipts', ['QUEUE: high']),
      '---',
      deployment('worker', ['command: ["python", "manage.py", "rqworker"]', 'args: ["$(QUEUE)"]', 'env:', '  - name: QUEUE', '    valueFrom:', '      configMapKeyRef: {name: receipts, key: QUEUE}']),
    ].join('\n');
    const result = await fixed({ 'k8s/worker.yaml': manifest, 'app.py': tasks });
    expect(result.skipped).toEqual([]);
    expect(result.changes[0]!.updated).toBe(manifest.replace('["$(QUEUE)"]', '["$(QUEUE)", "default"]'));
  });

  it('a manifest shared by two environments whose other worker does not need the queue is left alone', async () => {
    const files = {
      'k8s/worker.yaml': deployment('worker', ['command: [rq, worker, high]']),
      'k8s/prod/more.yaml': deployment('mailer', ['command: [rq, worker, mail]']).replace('spec:\n', 'spec:\n  replicas: 0\n'),
      'k8s/staging/more.yaml': deployment('mailer', ['command: [rq, worker, default]']),
      'app.py': tasks,
    };
    const result = await fixed(files);
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toContain('also sets the queues of service `worker` in environment `staging`');
  });
});

describe('fix: kustomize overlays (rendered by kubectl kustomize)', () => {
  const base = {
    'deploy/base/kustomization.yaml': 'resources:\n  - worker.yaml\nconfigMapGenerator:\n  - name: receipts-config\n    literals:\n      - RQ_QUEUES=high\n',
    'deploy/base/worker.yaml': deployment('worker', ['command: ["/bin/sh", "-c"]', 'args:', '  - exec rq worker $RQ_QUEUES', 'envFrom:', '  - configMapRef: {name: receipts-config}']),
    'app.py': tasks,
  };
  const overlay = (extra = '') => `resources:\n  - ../../base\n${extra}`;

  it('a value set only in a base other overlays share is left alone, naming them', async () => {
    const result = await fixed({ ...base, 'deploy/overlays/prod/kustomization.yaml': overlay(), 'deploy/overlays/staging/kustomization.yaml': overlay() });
    expect(result.changes).toEqual([]);
    expect(result.skipped.map((skip) => [skip.finding.environment, skip.reason])).toEqual([
      ['prod', 'the rendered value comes from deploy/base/kustomization.yaml, a base or generator shared by overlays `deploy/overlays/prod`, `deploy/overlays/staging`'],
      ['staging', 'the rendered value comes from deploy/base/kustomization.yaml, a base or generator shared by overlays `deploy/overlays/prod`, `deploy/overlays/staging`'],
    ]);
  });

  it('an overlay patch that sets the args is edited in the overlay', async () => {
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          command: [rq, worker]\n          args:\n            - --with-scheduler\n            - high\n';
    const files = {
      ...base,
      'deploy/overlays/prod/kustomization.yaml': overlay('patches:\n  - path: worker-args.yaml\n'),
      'deploy/overlays/prod/worker-args.yaml': patch,
      'deploy/overlays/staging/kustomization.yaml': overlay('configMapGenerator:\n  - name: receipts-config\n    behavior: merge\n    literals:\n      - RQ_QUEUES=high default\n'),
    };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    expect(result.changes.map((change) => change.file)).toEqual(['deploy/overlays/prod/worker-args.yaml']);
    expect(result.changes[0]!.updated).toBe(`${patch}            - default\n`);
    await expectIdempotent(files, result);
  });

  it('a configMapGenerator env file of the overlay is edited at its line', async () => {
    const files = {
      ...base,
      'deploy/overlays/prod/kustomization.yaml': overlay('configMapGenerator:\n  - name: receipts-config\n    behavior: merge\n    envs:\n      - queues.env\n'),
      'deploy/overlays/prod/queues.env': '# queues\nRQ_QUEUES=high\n',
      'deploy/overlays/staging/kustomization.yaml': overlay('configMapGenerator:\n  - name: receipts-config\n    behavior: merge\n    literals:\n      - RQ_QUEUES=high default\n'),
    };
    const result = await fixed(files);
    expect(result.skipped).toEqual([]);
    expect(result.changes.map((change) => [change.file, change.updated])).toEqual([['deploy/overlays/prod/queues.env', '# queues\nRQ_QUEUES=high default\n']]);
  });
});

describe('fix: helm output', () => {
  it('is never edited: the chart decides', async () => {
    const manifest = deployment('worker', ['args: [rq, worker, high]']);
    const result = await fixed({ 'rendered.yaml': manifest, 'app.py': tasks }, { sources: [{ source: 'helm', path: 'rendered.yaml' }] });
    expect(result.changes).toEqual([]);
    expect(result.skipped[0]!.reason).toBe("the manifests of `default` are helm output (rendered.yaml): the value comes from the chart's templates and values");
  });
});
