/**
 * Differential: the manifest reader on the original files vs the same reader on `kubectl kustomize` output of those
 * files (kustomize parses with go-yaml and re-serialises: anchors expanded, merge keys applied, block scalars and
 * quoting normalised). Both must give the same services: names, argv (after `$(VAR)`), environment values,
 * replicas and whether they run. kubectl is required (fail loudly when it is missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { manifestEnvironment, parseManifests } from '../../src/sources/kubernetes/manifests.js';
import type { DeploymentEnvironment } from '../../src/model.js';

const KUBECTL = '/usr/bin/kubectl';
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const deployment = (name: string, container: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
${container}`;

/** Inputs in the shapes real manifests take, each a file set. */
const CASES: Record<string, Record<string, string>> = {
  'flow and block lists, quoting, numbers as strings': {
    'a.yaml': deployment(
      'worker',
      `        - name: w
          image: "example/app:1.0"
          command: [python, 'manage.py', "rqworker"]
          args:
            - high
            - "default"
            - 'low'
          env:
            - {name: N, value: "8"}
            - name: EMPTY
              value: ""
            - name: QUOTED
              value: 'it''s "q"'
`,
    ),
  },
  'block scalars and $(VAR) references': {
    'b.yaml': deployment(
      'shell-worker',
      `        - name: w
          command:
            - /bin/sh
            - -c
            - |
              exec rq worker \\
                $(QUEUES) --with-scheduler
          env:
            - name: QUEUES
              value: >-
                high
                default
            - name: URL
              value: redis://$(HOST):6379
            - name: HOST
              value: redis
`,
    ),
  },
  'anchors, aliases and merge keys': {
    'c.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: anchored
spec:
  replicas: 0
  selector: {matchLabels: {app: anchored}}
  template:
    metadata: {labels: {app: anchored}}
    spec:
      containers:
        - &base
          name: one
          image: example/app:1.0
          args: &args [rq, worker, high]
          env: &env
            - {name: A, value: "1"}
        - <<: *base
          name: two
          args: *args
          env: *env
`,
  },
  'multi-document files with ConfigMaps, envFrom and configMapKeyRef, a CronJob and a Job': {
    'd.yaml': `# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  RQ_QUEUES: high,default
  EXTRA: "yes"
---
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "@daily"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: n
              args: ["python", "manage.py", "rqworker", "$(Q)"]
              env:
                - name: Q
                  valueFrom: {configMapKeyRef: {name: settings, key: RQ_QUEUES}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: j
          envFrom: [{configMapRef: {name: settings}}]
          command: [rq, worker, --burst]
`,
  },
};

/** What the analysis reads of a service, position-free. */
function shape(environment: DeploymentEnvironment) {
  return environment.services
    .map((service) => ({
      name: service.name,
      argv: service.command?.argv ?? [],
      environment: Object.fromEntries(Object.entries(service.environment).map(([key, entry]) => [key, entry.value])),
      replicas: service.replicas ?? null,
      inactive: service.inactiveReason ?? null,
      image: service.image ?? null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('manifest reader vs kubectl kustomize on the same inputs', () => {
  it(`${KUBECTL} is installed`, () => {
    expect(existsSync(KUBECTL), `${KUBECTL} is missing: install kubectl`).toBe(true);
  });

  it.each(Object.entries(CASES))('%s', (_name, files) => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-differential-'));
    dirs.push(dir);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    writeFileSync(join(dir, 'kustomization.yaml'), `resources:\n${Object.keys(files).map((file) => `  - ${file}`).join('\n')}\n`);
    const rendered = execFileSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
    const direct = manifestEnvironment('d', 'kubernetes', [], Object.entries(files).flatMap(([file, text]) => parseManifests(text, file))).environment;
    const viaKustomize = manifestEnvironment('d', 'kubernetes', [], parseManifests(rendered, 'rendered.yaml')).environment;
    expect(direct.services.length).toBeGreaterThan(0);
    expect(shape(direct)).toEqual(shape(viaKustomize));
  });
});
