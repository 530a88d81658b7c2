import * as path from 'node:path';
import type { Command } from 'commander';
import type { ProjectConfig } from '../config/index.js';
import { DEFAULT_SMOKE_TIMEOUT_SECONDS, DEFAULT_SYNC_BODY, DIAGNOSTICS_PATH, JOB_ID_PARAM, STATUS_PATH, SYNC_PATH } from '../contract/http.js';
import { InputError } from '../errors.js';
import { confinedFileSystem, nodeFileSystem, readFailureReason } from '../fs.js';
import { parseApiUrl } from '../smoke/api-url.js';
import type { SmokeOptions } from '../smoke/index.js';
import { describeDiscovery, hasDeploymentFiles, sourceById } from '../sources/index.js';
import type { StaticOptions } from '../static.js';
import type { StaticSection } from '../types.js';
import { assertKnownEnvironment } from './environment.js';
import { collect, parseEnvSpec, parseNumber, parseSourceSpec, parseVars } from './parse.js';
import { liveSetup, noteWithheld, type LiveCliOptions, type LiveCommandSetup, type StaticCliOptions } from './live-options.js';

export {
  addLiveOptions,
  addStaticOptions,
  liveBackendList,
  liveSetup,
  PROJECT_DIR_ARGUMENT,
  resolveLive,
  type LiveCliOptions,
  type LiveCommandSetup,
  type LiveOrigin,
  type StaticCliOptions,
} from './live-options.js';

/** Whether a dir holds the files of a deployment source; a dir without any is not a project. */
export function hasProjectFiles(dir: string): boolean {
  return hasDeploymentFiles(nodeFileSystem, dir);
}

/** Absolute project root; exit 2 when the dir does not exist or (unless sources are explicit) holds no deployment files. */
export async function resolveProjectDir(dir: string, explicitEnvironments: boolean): Promise<string> {
  const root = path.resolve(dir);
  if (!nodeFileSystem.isDirectory(root)) {
    if (!nodeFileSystem.exists(root)) throw new InputError(`Project dir ${dir} does not exist.`);
    // `static proj/docker-compose.yml`: the argument is the project's folder; one file is an environment.
    const folder = path.dirname(dir);
    throw new InputError(
      `${dir} is a file; give the project's folder (${folder}), or that folder with --env NAME=${path.basename(dir)} to read only this file as environment NAME.`,
    );
  }
  // Environments declared in the config file are as explicit as --env: their files may live in subdirs.
  if (!explicitEnvironments && !hasProjectFiles(root)) {
    const config = await projectConfig(root);
    if (!config.environments && !config.sources) throw new InputError(`${dir}: no deployment files in this directory (looked for ${describeDiscovery()}).`);
  }
  return root;
}

export function resolveStatic(root: string, options: StaticCliOptions, config: ProjectConfig): StaticOptions {
  const explicitCli = Boolean(options.env || options.source);
  const environments = explicitCli ? options.env?.map(parseEnvSpec) : config.environments;
  const sources = explicitCli ? options.source?.map(parseSourceSpec) : config.sources;
  // An unknown kind is an input error before anything is read.
  for (const declaration of sources ?? []) sourceById(declaration.source);
  const vars = { ...config.vars, ...parseVars(options.var ?? []) };
  const envFiles = (options.envFile ?? config.envFiles)?.map((file) => path.resolve(root, file));
  const profiles = options.profile ?? config.profiles;
  const queueVariables = options.queueVar ?? config.queueVariables;
  return {
    fs: nodeFileSystem,
    root,
    ...(environments ? { environments } : {}),
    ...(sources?.length ? { sources } : {}),
    ...(sources?.some((declaration) => declaration.path === '-') ? { readStdin } : {}),
    ...(profiles ? { profiles } : {}),
    ...(envFiles ? { envFiles } : {}),
    // Files the operator named may live anywhere; those the project's config names stay inside the project.
    ...(options.envFile && envFiles ? { operatorFiles: envFiles } : {}),
    ...(Object.keys(vars).length ? { vars } : {}),
    ...(options.shellEnv ? { shellEnv: { ...process.env } } : {}),
    ...(queueVariables ? { queueVariables } : {}),
    ...(options.includeTests || config.includeTests ? { includeTests: true } : {}),
    ...(config.ignore ? { ignore: config.ignore } : {}),
    ...(options.queue?.length ? { queues: options.queue } : {}),
  };
}

/** Stdin whole, capped while reading (rendered manifests piped in: `helm template … | receipts-doctor static --source helm=-`). */
async function readStdin(): Promise<string> {
  const limit = 10 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new InputError(`stdin: more than ${limit / 1024 / 1024} MiB of rendered manifests`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `--queue` for the `static` command (`check` has it among the live options, and passes it to both stages). */
export function addStaticQueueOption(command: Command): Command {
  return command.option('--queue <name>', 'a queue the code enqueues to that the scan cannot see (repeatable, comma lists)', collect);
}

/** The project config under `root` ({} without a root); its YAML parser is loaded only when needed. */
export async function projectConfig(root: string | undefined): Promise<ProjectConfig> {
  if (!root) return {};
  const { loadProjectConfig } = await import('../config/index.js');
  return loadProjectConfig(root, confinedFileSystem(nodeFileSystem, root));
}

export interface SmokeCliOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  body?: string;
  syncPath?: string;
  statusPath?: string;
  diagnosticsPath?: string;
  timeout?: string;
  insecure?: boolean;
  /** `--quiet` (an output option): no note on stderr. */
  quiet?: boolean;
}

export function addSmokeOptions(command: Command): Command {
  return command
    .option('--url <url>', 'base URL of the API to smoke-test (RECEIPTS_DOCTOR_URL)')
    .option('--token <token>', 'bearer token (prefer --token-file or RECEIPTS_DOCTOR_TOKEN)')
    .option('--token-file <file>', 'read the bearer token from a file')
    .option('--body <json>', `JSON body of the sync request (default: ${DEFAULT_SYNC_BODY})`)
    .option('--sync-path <path>', `sync endpoint (default: ${SYNC_PATH})`)
    .option('--status-path <path>', `status endpoint (${JOB_ID_PARAM} is added as a query parameter) (default: ${STATUS_PATH})`)
    .option('--diagnostics-path <path>', `diagnostics endpoint read on failure (default: ${DIAGNOSTICS_PATH})`)
    .option('--timeout <seconds>', `give up when the job is not final after this long (default: ${DEFAULT_SMOKE_TIMEOUT_SECONDS})`)
    .option('--insecure', 'accept an invalid TLS certificate');
}

/** A bearer token is a line, not a file of megabytes. */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

function readToken(options: SmokeCliOptions): string | undefined {
  if (options.token) return options.token;
  if (options.tokenFile) {
    try {
      return nodeFileSystem.readFile(options.tokenFile, MAX_TOKEN_FILE_BYTES).trim();
    } catch (error) {
      // The reason only: never the file's content, which is a secret.
      throw new InputError(`Cannot read --token-file ${options.tokenFile}: ${readFailureReason(error)}`);
    }
  }
  return process.env.RECEIPTS_DOCTOR_TOKEN || undefined;
}

export function resolveSmoke(options: SmokeCliOptions, config: ProjectConfig): SmokeOptions | undefined {
  const operatorUrl = options.url ?? process.env.RECEIPTS_DOCTOR_URL;
  const url = operatorUrl ?? config.smoke?.url;
  if (!url) return undefined;
  // Checked now: a bad URL is an input error before any stage runs (runSmoke checks it the same way).
  parseApiUrl(url);
  const body = options.body ?? config.smoke?.body ?? DEFAULT_SYNC_BODY;
  try {
    JSON.parse(body);
  } catch {
    throw new InputError('--body is not valid JSON.');
  }
  const operatorToken = readToken(options);
  // The operator's token goes only to a URL the operator named, never to one only the repository's config names.
  const token = operatorUrl !== undefined ? operatorToken : undefined;
  const tokenWithheld = operatorToken !== undefined && token === undefined;
  if (tokenWithheld) noteWithheld('the token (smoke.url comes only from the config file; name the API with --url or RECEIPTS_DOCTOR_URL to send it)', options);
  return {
    url,
    ...(token ? { token } : {}),
    ...(tokenWithheld ? { tokenWithheld } : {}),
    body,
    syncPath: options.syncPath ?? config.smoke?.syncPath ?? SYNC_PATH,
    statusPath: options.statusPath ?? config.smoke?.statusPath ?? STATUS_PATH,
    diagnosticsPath: options.diagnosticsPath ?? config.smoke?.diagnosticsPath ?? DIAGNOSTICS_PATH,
    timeoutMs:
      1000 * (options.timeout !== undefined ? parseNumber('--timeout', options.timeout) : (config.smoke?.timeout ?? DEFAULT_SMOKE_TIMEOUT_SECONDS)),
    insecure: options.insecure ?? false,
  };
}

/** Checks a live command's dir and flags before any network: a Redis is required, `--environment` needs a dir. */
export async function setUpLiveCommand(command: string, dir: string | undefined, options: LiveCliOptions & StaticCliOptions): Promise<LiveCommandSetup> {
  const root = dir !== undefined ? await resolveProjectDir(dir, Boolean(options.env || options.source)) : undefined;
  return liveSetup(command, root, await projectConfig(root), options);
}

/** The project's static section, loaded only when a dir is given; an `--environment` it does not have is an input error. */
export async function runProjectStatic(
  root: string,
  options: StaticCliOptions,
  config: ProjectConfig,
  environment: string | undefined,
): Promise<StaticSection> {
  const { runStatic } = await import('../static.js');
  const { section } = await runStatic(resolveStatic(root, options, config));
  assertKnownEnvironment(section.environments.map((entry) => entry.name), environment);
  return section;
}
