import { lazyBuiltin } from '../lazy-builtin.js';
import type { Finding } from '../types.js';

/** What identifies a finding across unrelated edits: no line numbers, no wording (SARIF's partialFingerprints, baselines). */
export interface FindingIdentity {
  rule: string;
  queue?: string;
  environment?: string;
  service?: string;
  worker?: string;
  file?: string;
}

export function identity(finding: Finding): FindingIdentity {
  return {
    rule: finding.rule,
    ...(finding.queue !== undefined ? { queue: finding.queue } : {}),
    ...(finding.environment !== undefined ? { environment: finding.environment } : {}),
    ...(finding.service !== undefined ? { service: finding.service } : {}),
    ...(finding.worker !== undefined ? { worker: finding.worker } : {}),
    ...(finding.location ? { file: finding.location.file } : {}),
  };
}

// Most runs neither read nor write a baseline nor print SARIF.
const crypto = lazyBuiltin<typeof import('node:crypto')>('node:crypto');

/** Stable fingerprint of a finding: rule + queue + environment + service/worker + file (not the line). */
export function findingFingerprint(finding: Finding): string {
  const { rule, queue, environment, service, worker, file } = identity(finding);
  const key = JSON.stringify([rule, queue ?? null, environment ?? null, service ?? null, worker ?? null, file ?? null]);
  return crypto().createHash('sha256').update(key).digest('hex').slice(0, 24);
}
