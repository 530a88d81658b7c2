import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, REPO_ROOT } from '../helpers/cli.js';
import { sleep } from '../helpers/poll.js';
import { DEFAULT_SYNC_MODE, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } from '../../src/contract/http.js';

/** A `receipts-doctor serve` running as a real process (the built CLI). */
export interface ServeProcess {
  child: ChildProcess;
  readyLine: string;
  apiUrl?: string;
  redisUrl?: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  exited: Promise<number | string>;
}

const running = new Set<ChildProcess>();

/** Env for serve processes: nothing inherited that would change its behaviour unless given. */
function serveEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of ['REDIS_URL', 'RQ_QUEUES', 'RECEIPTS_DOCTOR_TOKEN', 'RECEIPTS_DOCTOR_URL']) delete env[key];
  for (const key of Object.keys(env)) if (key.startsWith('RECEIPTS_DOCTOR_SERVE_')) delete env[key];
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts `serve` and waits for its ready line (rejects with its output if it exits or stays silent for 30 s). */
export function startServe(
  args: string[],
  env: Record<string, string | undefined> = {},
  /** Own process group, as a shell gives a foreground command (so a test can "press Ctrl-C" on the group). */
  ownGroup = false,
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd: REPO_ROOT, env: serveEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached: ownGroup });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no ready line in 30 s:\n${stdout}\n${stderr}`)), 30_000);
    const onData = () => {
      const line = stdout.split('\n').find((text) => text.startsWith('receipts-doctor serve:'));
      if (!line || !stdout.includes('\n')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        child,
        readyLine: line,
        apiUrl: /API (http:\/\/\S+)/.exec(line)?.[1],
        redisUrl: /redis (rediss?:\/\/\S+)/.exec(line)?.[1],
        stdout: () => stdout,
        stderr: () => stderr,
        exited,
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
}

/** SIGKILLs every serve process a test left running (afterEach/afterAll). */
export async function killAllServe(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

export const TOKEN = 'test-token-123';
export const auth = { authorization: `Bearer ${TOKEN}` };

/** POST the sync; returns status and parsed body. */
export async function postSync(apiUrl: string, body: unknown = { mode: DEFAULT_SYNC_MODE }, headers: Record<string, string> = auth) {
  const response = await fetch(`${apiUrl}${SYNC_PATH}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function getStatus(apiUrl: string, jobId: string) {
  const response = await fetch(`${apiUrl}${STATUS_PATH}?${JOB_ID_PARAM}=${encodeURIComponent(jobId)}`, { headers: auth });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Polls the status of every job until each is finished or failed; returns the final bodies by id. */
export async function waitAllFinal(apiUrl: string, jobIds: string[], timeoutMs = 60_000, parallel = 50) {
  const final = new Map<string, Record<string, unknown>>();
  const deadline = Date.now() + timeoutMs;
  while (final.size < jobIds.length) {
    if (Date.now() > deadline) throw new Error(`${jobIds.length - final.size} of ${jobIds.length} jobs not final after ${timeoutMs} ms`);
    const pending = jobIds.filter((id) => !final.has(id));
    for (let start = 0; start < pending.length; start += parallel) {
      await Promise.all(
        pending.slice(start, start + parallel).map(async (id) => {
          const { status, body } = await getStatus(apiUrl, id);
          if (status === 200 && (body.status === 'finished' || body.status === 'failed')) final.set(id, body);
        }),
      );
    }
    if (final.size < jobIds.length) await sleep(100);
  }
  return final;
}
