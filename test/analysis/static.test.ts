import { describe, expect, it } from 'vitest';
import { analyzeStatic } from '../../src/analysis/static.js';
import { pickDriftEnvironment } from '../../src/check.js';
import type { DeploymentEnvironment } from '../../src/model.js';
import type { AvailabilityCheck, Consumer, Producer } from '../../src/types.js';

const env = (name: string): DeploymentEnvironment => ({ name, source: 'compose', files: [`docker-compose.${name}.yml`], profiles: [], services: [] });
const producer = (queue: string | null, file = 'app/routes.py', line = 10, scope?: string): Producer => ({
  queue,
  kind: 'rq-queue',
  location: { file, line, column: 5 },
  ...(queue === null ? { expression: 'queue_name' } : {}),
  ...(scope ? { scope } : {}),
});
const consumer = (environment: string, queues: string[], extra: Partial<Consumer> = {}): Consumer => ({
  environment,
  service: 'worker',
  active: true,
  queues,
  queueSource: 'environment',
  variable: 'RQ_QUEUES',
  location: { file: 'docker-compose.yml', line: 20 },
  detectedBy: 'RQ_QUEUES',
  ...extra,
});
const rules = (findings: { rule: string }[]) => findings.map((finding) => finding.rule).sort();

describe('analyzeStatic', () => {
  it('reports one queue-without-worker per (queue, environment) at the producer', () => {
    const findings = analyzeStatic(
      [env('default'), env('prod')],
      [producer('default'), producer('default', 'app/other.py', 3)],
      [],
      [consumer('default', ['default']), consumer('prod', ['high', 'low'], { location: { file: 'docker-compose.prod.yml', line: 7 } })],
    );
    const missing = findings.filter((finding) => finding.rule === 'queue-without-worker');
    expect(missing).toHaveLength(1);
    expect(missing[0]).toMatchObject({ queue: 'default', environment: 'prod', severity: 'error', location: { file: 'app/routes.py', line: 10 } });
    expect(missing[0]!.hint).toContain('docker-compose.prod.yml:7');
    expect(missing[0]!.related?.some((related) => related.file === 'app/other.py')).toBe(true);
  });

  it('does not count inactive workers as consumers and reports them as worker-inactive', () => {
    const findings = analyzeStatic(
      [env('default')],
      [producer('default')],
      [],
      [consumer('default', ['default'], { active: false, inactiveReason: 'its profile `workers` is not active' })],
    );
    expect(rules(findings)).toEqual(['queue-without-worker', 'worker-inactive']);
  });

  it('reports queue-var-empty for a worker listening to nothing', () => {
    const findings = analyzeStatic([env('default')], [producer('default')], [], [consumer('default', ['default']), consumer('default', [], { service: 'idle' })]);
    expect(rules(findings)).toEqual(['queue-var-empty']);
  });

  it('reports queue-var-unset for each unset variable', () => {
    const findings = analyzeStatic([env('default')], [producer('default')], [], [
      consumer('default', ['default'], { unsetVariables: ['EXTRA_QUEUES'] }),
    ]);
    expect(rules(findings)).toEqual(['queue-var-unset']);
    expect(findings[0]!.severity).toBe('warning');
  });

  it('reports worker-queue-unused as info and producer-unresolved as info', () => {
    const findings = analyzeStatic([env('default')], [producer('default'), producer(null)], [], [
      consumer('default', ['default', 'receipts_sync']),
    ]);
    expect(rules(findings)).toEqual(['producer-unresolved', 'worker-queue-unused']);
    expect(findings.every((finding) => finding.severity === 'info')).toBe(true);
    expect(findings.find((finding) => finding.rule === 'worker-queue-unused')!.queue).toBe('receipts_sync');
  });

  it('reports worker-check-mismatch when a scope checks one queue and enqueues to another', () => {
    const check: AvailabilityCheck = {
      queue: 'default',
      callee: '_has_worker_for_queue',
      scope: 'start_sync',
      location: { file: 'app/routes.py', line: 8 },
    };
    const matching = analyzeStatic([env('default')], [producer('default', 'app/routes.py', 10, 'start_sync')], [check], [
      consumer('default', ['default']),
    ]);
    expect(rules(matching)).toEqual([]);
    const mismatched = analyzeStatic(
      [env('default')],
      [producer('receipts_sync', 'app/routes.py', 10, 'start_sync')],
      [check],
      [consumer('default', ['receipts_sync'])],
    );
    expect(rules(mismatched)).toEqual(['worker-check-mismatch']);
    expect(mismatched[0]).toMatchObject({ queue: 'default', location: { line: 8 } });
  });

  it('checks in another scope do not cause a mismatch', () => {
    const check: AvailabilityCheck = { queue: 'default', callee: 'has_worker', scope: 'a', location: { file: 'x.py', line: 1 } };
    expect(rules(analyzeStatic([env('default')], [producer('high', 'x.py', 5, 'b')], [check], [consumer('default', ['high'])]))).toEqual([]);
  });
});

describe('pickDriftEnvironment', () => {
  it('prefers prod, then production, then default', () => {
    expect(pickDriftEnvironment(['default', 'prod'])?.name).toBe('prod');
    expect(pickDriftEnvironment(['default', 'production'])?.name).toBe('production');
    expect(pickDriftEnvironment(['default', 'staging'])?.name).toBe('default');
    expect(pickDriftEnvironment(['default', 'staging'], 'staging')?.name).toBe('staging');
    expect(pickDriftEnvironment(['default'], 'nope')).toBeUndefined();
  });
});

describe('hints', () => {
  it('names the worker script when its queues are hardcoded (no variable)', () => {
    const findings = analyzeStatic([env('default')], [producer('default')], [], [
      consumer('default', ['high'], {
        queueSource: 'code-default',
        variable: undefined,
        location: { file: 'worker.py', line: 4 },
      }),
    ]);
    const missing = findings.find((finding) => finding.rule === 'queue-without-worker')!;
    expect(missing.hint).toContain('worker.py:4');
    expect(missing.hint).not.toContain('undefined');
  });
});
