import { JOB_ID_PARAM, JOB_STATUSES } from '../contract/http.js';
import { InputError, UnreachableError } from '../errors.js';
import { redactUrl, redactUrlsInText, scrubSecrets } from '../redact.js';
import { finding as ruleFinding } from '../finding.js';
import type { RuleId } from '../rules.js';
import type { Finding, RelatedInfo, SmokeSection } from '../types.js';
import { VERSION } from '../version.js';
import { parseApiUrl } from './api-url.js';
import { HttpFailure, httpRequest, type HttpAnswer } from './http.js';
import { isRecord, oneLine, parseJson, readDiagnostics, serverText } from './text.js';

export interface SmokeOptions {
  /** Base URL of the API, e.g. http://127.0.0.1:8080 (credentials in it are redacted in output). */
  url: string;
  token?: string;
  /**
   * The operator has a token, but the URL comes only from the project's config file: the token is not sent (the
   * repository under check never decides where the operator's credentials go), and a refusal's hint says so.
   */
  tokenWithheld?: boolean;
  /** JSON body of the sync request (default DEFAULT_SYNC_BODY of src/contract/http.ts). */
  body: string;
  syncPath: string;
  statusPath: string;
  diagnosticsPath: string;
  timeoutMs: number;
  insecure: boolean;
  /** Other secrets to keep out of everything the server's answers put in the report (the Redis password inside `check`). */
  extraSecrets?: string[];
  /** Progress callback for the TTY progress line (status seen, elapsed ms). */
  onProgress?: (status: string, elapsedMs: number) => void;
  /** First poll interval (default 100 ms); it grows ×1.5 per poll up to `maxPollIntervalMs`. */
  pollIntervalMs?: number;
  /** Longest poll interval (default 1000 ms). */
  maxPollIntervalMs?: number;
}

export interface SmokeResult {
  section: SmokeSection;
  findings: Finding[];
}

/** Statuses after which a job never changes again: the contract's, and BullMQ's and RQ's other spellings. */
const FINISHED = new Set(['finished', 'completed']);
const FAILED = new Set(['failed', 'stopped', 'canceled', 'cancelled']);
/** Status answers worth polling through (a proxy or the API restarting); anything else ends the smoke. */
const TRANSIENT_HTTP = new Set([429, 502, 503, 504]);
/** Reading the diagnostics after a failure may add at most this much to the run. */
const DIAGNOSTICS_TIMEOUT_MS = 1500;

/** `base` + `path`, keeping a path prefix of the base URL (`https://host/app` + `/api/x` → `https://host/app/api/x`). */
export function endpoint(base: URL, path: string): URL {
  const url = new URL(base.href);
  const queryAt = path.indexOf('?');
  const pathname = queryAt >= 0 ? path.slice(0, queryAt) : path;
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${pathname.startsWith('/') ? '' : '/'}${pathname}`;
  url.search = queryAt >= 0 ? path.slice(queryAt) : '';
  url.hash = '';
  return url;
}

const safeDecode = (text: string): string | undefined => {
  if (!text) return undefined;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)}s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

function finding(rule: RuleId, message: string, hint: string | undefined, related: RelatedInfo[] = []): Finding {
  return ruleFinding(rule, {
    // Server texts often end with their own full stop: keep one.
    message: message.replace(/([.!?…])\.$/, '$1'),
    ...(hint ? { hint } : {}),
    ...(related.length ? { related } : {}),
  });
}

function hintForStatus(status: number, step: 'sync' | 'status', location?: string): string {
  if (status >= 300 && status <= 399) {
    return `The API redirects${location ? ` to ${redactUrl(oneLine(location, 200))}` : ''}: give the final URL (https://?) as --url; a redirected POST loses its body.`;
  }
  if (status === 401 || status === 403) return 'Check the token (--token, --token-file or RECEIPTS_DOCTOR_TOKEN) against the API\'s configuration.';
  if (status === 404) {
    return step === 'sync'
      ? 'Check --url and --sync-path: the API has no sync endpoint there.'
      : 'The API lost the job (or --status-path is wrong): check the status endpoint and the job store\'s retention.';
  }
  if (status === 503) return 'Start a worker that listens to the sync job\'s queue (check its RQ_QUEUES), then run the smoke again.';
  if (status >= 500) return 'Read the API\'s logs for the error behind this status.';
  if (status === 400 || status === 422) return 'Check --body: the API rejected the sync request.';
  return 'Compare the API with the sync contract (POST answers 202 with a job_id, the status endpoint 200 with a status).';
}

/**
 * The API refused the doctor's own credentials: a misconfigured CI secret, not a broken deploy. The hint says
 * whether a token was sent at all, never the token.
 */
function unauthorized(message: string, options: SmokeOptions): Finding {
  let hint = 'No token was sent: give the API\'s token with --token-file, RECEIPTS_DOCTOR_TOKEN or --token.';
  if (options.token !== undefined) hint = "A token was sent and the API refused it: check that --token, --token-file or RECEIPTS_DOCTOR_TOKEN holds the API's current token.";
  else if (options.tokenWithheld) hint = WITHHELD_TOKEN_HINT;
  return finding('smoke-unauthorized', message, hint);
}

/** Why a token was not sent to a URL the project's config file names. */
export const WITHHELD_TOKEN_HINT =
  'No token was sent: the URL comes only from the project\'s config file, and a token goes only to a URL named with --url or RECEIPTS_DOCTOR_URL.';

function hintForTimeout(lastStatus: string | undefined): string {
  if (lastStatus === 'queued' || lastStatus === 'waiting' || lastStatus === 'deferred' || lastStatus === 'scheduled') {
    return `A job that stays \`${lastStatus}\` has no worker taking it: check that a live worker listens to the job's queue (receipts-doctor check --redis …), or raise --timeout.`;
  }
  if (lastStatus === 'started' || lastStatus === 'active') {
    return 'A worker took the job but it did not finish in time: read the worker\'s log, or raise --timeout.';
  }
  return 'Check the API\'s logs, or raise --timeout.';
}

/**
 * The smoke posts a real sync and never deletes what it started (it has no write access to the queue, and the
 * contract has no cancel endpoint): a job that timed out is still there, and a worker that comes up later runs it.
 */
export function leftBehind(jobId: string, lastStatus: string | undefined): string {
  if (lastStatus === 'started' || lastStatus === 'active') {
    return `The smoke does not cancel its job: \`${jobId}\` is still running on a worker (a real sync).`;
  }
  return `The smoke does not remove its job: \`${jobId}\` stays in the API's queue and runs as a real sync when a worker takes it; delete it by this id if that is not wanted (RQ: \`Job.fetch(id, connection=redis).delete()\`; BullMQ: \`queue.remove(id)\`).`;
}

/** Drives the sync contract end to end (docs/CONTRACT.md §6): POST, poll to a final state, time each phase. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const startedAt = performance.now();
  const deadline = startedAt + options.timeoutMs;
  const elapsed = () => performance.now() - startedAt;
  const remaining = () => Math.max(0, deadline - performance.now());

  const base = parseApiUrl(options.url);
  if (options.token !== undefined && !/^[\t\x20-\x7e\x80-\xff]*$/.test(options.token)) {
    throw new InputError('The token holds characters an HTTP header cannot carry (a line break?).');
  }
  const secrets = [options.token, safeDecode(base.password), base.password || undefined, ...(options.extraSecrets ?? [])];
  const shownUrl = redactUrl(options.url);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': `receipts-doctor/${VERSION}`,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  const request = (url: URL, method: 'GET' | 'POST', timeoutMs: number, body?: string) =>
    httpRequest(url, {
      method,
      headers: body !== undefined ? { ...headers, 'content-type': 'application/json' } : headers,
      ...(body !== undefined ? { body } : {}),
      timeoutMs,
      insecure: options.insecure,
    });

  const section: SmokeSection = { url: shownUrl, phases: [], durationMs: 0 };
  const findings: Finding[] = [];
  let lastStatus: string | undefined;
  const see = (status: string) => {
    lastStatus = status;
    section.finalStatus = status;
    if (!section.phases.some((phase) => phase.status === status)) section.phases.push({ status, atMs: Math.round(elapsed()) });
    options.onProgress?.(status, elapsed());
  };

  // Worker-side failures (5xx, timeouts, failed or lost jobs) are explained by the diagnostics; a wrong token,
  // path or body is not, and reading them then would only add noise.
  let diagnose = true;
  const finish = async (): Promise<SmokeResult> => {
    if (findings.length > 0 && diagnose) await attachDiagnostics();
    section.durationMs = Math.round(elapsed());
    // Everything the server said may quote the token or a connection string: findings and the whole section.
    const scrub = (text: string) => redactUrlsInText(scrubSecrets(text, secrets));
    for (const item of findings) {
      item.message = scrub(item.message);
      if (item.hint) item.hint = scrub(item.hint);
      item.related = item.related?.map((related) => ({ ...related, message: scrub(related.message) }));
      if (!item.related) delete item.related;
    }
    if (section.jobId !== undefined) section.jobId = scrub(section.jobId);
    if (section.finalStatus !== undefined) section.finalStatus = scrub(section.finalStatus);
    section.phases = section.phases.map((phase) => ({ ...phase, status: scrub(phase.status) }));
    if (section.diagnostics) {
      const diagnostics = section.diagnostics;
      diagnostics.summary = scrub(diagnostics.summary);
      diagnostics.workers = diagnostics.workers.map((worker) => ({
        ...worker,
        name: scrub(worker.name),
        queues: worker.queues.map(scrub),
        ...(worker.state !== undefined ? { state: scrub(worker.state) } : {}),
      }));
      diagnostics.queues = Object.fromEntries(Object.entries(diagnostics.queues).map(([name, length]) => [scrub(name), length]));
    }
    return { section, findings };
  };

  const attachDiagnostics = async () => {
    let answer: HttpAnswer;
    try {
      answer = await request(endpoint(base, options.diagnosticsPath), 'GET', DIAGNOSTICS_TIMEOUT_MS);
    } catch {
      return; // Diagnostics are a bonus: an API without them (or down by now) changes nothing.
    }
    if (answer.status !== 200) return;
    const diagnostics = readDiagnostics(answer.body);
    if (!diagnostics) return;
    section.diagnostics = diagnostics;
    for (const item of findings) item.related = [...(item.related ?? []), { message: `Diagnostics: ${diagnostics.summary}` }];
  };

  // 1. POST the sync. Not retried: it is not idempotent.
  const syncUrl = endpoint(base, options.syncPath);
  const postLabel = `POST ${syncUrl.pathname}`;
  let post: HttpAnswer;
  try {
    post = await request(syncUrl, 'POST', remaining(), options.body);
  } catch (error) {
    if (!(error instanceof HttpFailure)) throw error;
    if (error.kind === 'timeout') {
      findings.push(
        finding(
          'smoke-timeout',
          `The API accepted the connection but did not answer ${postLabel} within ${seconds(options.timeoutMs)}; no job status was seen.`,
          'Check the API\'s logs: the sync endpoint hangs (a blocked Redis call?), or raise --timeout.',
        ),
      );
      return finish();
    }
    throw new UnreachableError(`Cannot reach the API at ${shownUrl}: ${scrubSecrets(error.message, secrets)}.`, 'http', { cause: error });
  }
  section.httpStatus = post.status;
  if (post.status === 401 || post.status === 403) {
    diagnose = false;
    findings.push(unauthorized(`${postLabel} answered ${post.status}: ${serverText(post.body)}.`, options));
    return finish();
  }
  if (post.status < 200 || post.status > 299) {
    diagnose = post.status >= 500;
    findings.push(
      finding('smoke-http-status', `${postLabel} answered ${post.status}: ${serverText(post.body)}.`, hintForStatus(post.status, 'sync', post.location)),
    );
    return finish();
  }
  const posted = parseJson(post.body);
  const rawJobId = isRecord(posted) ? posted.job_id ?? posted.jobId ?? posted.id : undefined;
  if (!isRecord(posted) || (typeof rawJobId !== 'string' && typeof rawJobId !== 'number') || String(rawJobId) === '') {
    const why = isRecord(posted) ? 'JSON without a `job_id`' : 'a body that is not JSON';
    diagnose = false;
    findings.push(
      finding(
        'smoke-http-status',
        `${postLabel} answered ${post.status} with ${why}: ${oneLine(post.body) || '(empty body)'}.`,
        `The sync contract answers 202 {"${JOB_ID_PARAM}": "…", "status": "${JOB_STATUSES[0]}"}: check --sync-path and the API version.`,
      ),
    );
    return finish();
  }
  const rawId = String(rawJobId);
  // Shown ids and statuses are one clean line: they come from the server and end up on a terminal.
  const jobId = oneLine(rawId, 120);
  section.jobId = jobId;
  if (typeof posted.status === 'string' && posted.status) see(oneLine(posted.status, 40));

  // 2. Poll the status until a final state or the deadline, backing off 100 ms → ×1.5 → 1 s.
  const statusUrl = endpoint(base, options.statusPath);
  statusUrl.searchParams.set(JOB_ID_PARAM, rawId);
  const statusLabel = `GET ${statusUrl.pathname}`;
  let interval = options.pollIntervalMs ?? 100;
  const maxInterval = options.maxPollIntervalMs ?? 1000;
  let lastPollProblem: string | undefined;
  let errorText: string | undefined;

  for (;;) {
    if (lastStatus && (FINISHED.has(lastStatus) || FAILED.has(lastStatus))) break;
    if (remaining() <= 0) break;
    let answer: HttpAnswer | undefined;
    try {
      answer = await request(statusUrl, 'GET', remaining());
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      // A blip (reset, restart) is polled through; only the deadline ends the wait. A poll cut short by the
      // deadline itself says nothing new, so it does not hide an earlier, more telling problem.
      lastPollProblem = error.kind === 'timeout' ? (lastPollProblem ?? 'the status endpoint did not answer in time') : error.message;
    }
    if (answer) {
      if (answer.status >= 200 && answer.status <= 299) {
        const json = parseJson(answer.body);
        const status = isRecord(json) ? json.status ?? json.state : undefined;
        if (typeof status !== 'string' || status.trim() === '') {
          diagnose = false;
          findings.push(
            finding(
              'smoke-http-status',
              `${statusLabel} answered ${answer.status} with ${isRecord(json) ? 'JSON without a `status`' : 'a body that is not JSON'}: ${serverText(answer.body)}.`,
              `The status contract answers {"${JOB_ID_PARAM}": "…", "status": "${JOB_STATUSES.join('|')}"}: check --status-path.`,
            ),
          );
          return finish();
        }
        // An answer about another job (a cache keyed without the id, a proxy, ids reused after a restart) says
        // nothing about ours: it is a contract violation, not a success (existing rule: the status endpoint broke
        // the HTTP contract).
        const answeredId = isRecord(json) ? json.job_id ?? json.jobId ?? json.id : undefined;
        if ((typeof answeredId === 'string' || typeof answeredId === 'number') && String(answeredId) !== rawId) {
          diagnose = false;
          findings.push(
            finding(
              'smoke-http-status',
              `${statusLabel} for job \`${jobId}\` answered ${answer.status} about another job, \`${oneLine(String(answeredId), 120)}\` (status \`${oneLine(status, 40)}\`).`,
              `The status endpoint must answer about the ${JOB_ID_PARAM} it was asked for: check that it reads the ${JOB_ID_PARAM} query parameter and that job ids are never reused.`,
            ),
          );
          return finish();
        }
        lastPollProblem = undefined;
        see(oneLine(status, 40));
        if (isRecord(json) && FAILED.has(lastStatus ?? '')) {
          const error = json.error ?? json.exc_info ?? json.failedReason ?? json.message;
          errorText = typeof error === 'string' && error.trim() ? oneLine(error.trim().split('\n').pop() ?? error, 300) : undefined;
        }
        if (FINISHED.has(lastStatus ?? '') || FAILED.has(lastStatus ?? '')) break;
      } else if (TRANSIENT_HTTP.has(answer.status)) {
        lastPollProblem = `${answer.status}: ${serverText(answer.body)}`;
      } else if (answer.status === 401 || answer.status === 403) {
        diagnose = false;
        findings.push(unauthorized(`${statusLabel} for job \`${jobId}\` answered ${answer.status}: ${serverText(answer.body)}.`, options));
        return finish();
      } else {
        const after = lastStatus ? ` after the job was \`${lastStatus}\`` : '';
        diagnose = answer.status >= 500 || answer.status === 404;
        findings.push(
          finding(
            'smoke-http-status',
            `${statusLabel} for job \`${jobId}\` answered ${answer.status}${after}: ${serverText(answer.body)}.`,
            hintForStatus(answer.status, 'status', answer.location),
          ),
        );
        return finish();
      }
    }
    const pause = Math.min(interval, remaining());
    if (pause <= 0) break;
    await sleep(pause);
    interval = Math.min(interval * 1.5, maxInterval);
  }

  if (lastStatus && FINISHED.has(lastStatus)) return finish();
  if (lastStatus && FAILED.has(lastStatus)) {
    findings.push(
      finding(
        'smoke-job-failed',
        `The sync job \`${jobId}\` ended \`${lastStatus}\`: ${errorText ?? 'the API gave no error text'}.`,
        'Read the worker\'s log and the failed-job registry for the traceback (rq info, or receipts-doctor live).',
      ),
    );
    return finish();
  }
  const last = lastStatus ? `the last status seen was \`${lastStatus}\`` : 'no status was seen';
  const problem = lastPollProblem ? ` (the last poll failed: ${lastPollProblem})` : '';
  findings.push(
    finding(
      'smoke-timeout',
      `The sync job \`${jobId}\` did not reach a final state within ${seconds(options.timeoutMs)}; ${last}${problem}.`,
      hintForTimeout(lastStatus),
      [{ message: leftBehind(jobId, lastStatus) }],
    ),
  );
  return finish();
}
