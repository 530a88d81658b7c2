/**
 * A Celery RabbitMQ broker URL (`amqp://user:pass@host:5672/vhost`, `amqps://`, kombu's `pyamqp://`) and the
 * management HTTP API the live stage reads instead of speaking AMQP: `--rabbitmq-api URL`, by default
 * `http://<broker host>:15672` with the broker's credentials. Nothing here is ever printed unredacted.
 */
import { InputError } from '../../errors.js';
import { redactUrl } from '../../redact.js';

/** Schemes kombu maps to its py-amqp transport (`pyamqp`, `amqp`, and TLS `amqps`). */
const BROKER_SCHEMES: Record<string, { tls: boolean; port: number }> = {
  'amqp:': { tls: false, port: 5672 },
  'pyamqp:': { tls: false, port: 5672 },
  'amqps:': { tls: true, port: 5671 },
  'pyamqps:': { tls: true, port: 5671 },
};

/** The management plugin's default listener (rabbitmq_management, `management.tcp.port`). */
export const DEFAULT_MANAGEMENT_PORT = 15672;

/** kombu's defaults when the URL names no user: RabbitMQ's `guest` account. */
const KOMBU_DEFAULT_USER = 'guest';
const KOMBU_DEFAULT_PASSWORD = 'guest';

export interface ManagementApiTarget {
  /** The API's base URL, no credentials, ending without `/`. */
  base: string;
  /** The same, for printing (no credentials in it anyway). */
  label: string;
  user: string;
  password: string;
}

export interface BrokerTarget {
  /** The broker URL as given, password redacted. */
  label: string;
  host: string;
  port: number;
  tls: boolean;
  vhost: string;
  api: ManagementApiTarget;
  /** The passwords this target carries, to scrub from any server text. */
  secrets: string[];
}

const decode = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/** Why a URL does not parse, without quoting it (it may hold the password). */
function parseUrl(flag: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(`${flag} ${redactUrl(raw)} is not a valid URL (a \`/\`, \`?\`, \`#\` or \`@\` in the password must be percent-encoded).`);
  }
  if (!raw.includes('//')) throw new InputError(`${flag} ${redactUrl(raw)} is not a valid URL: expected ${url.protocol}//host…`);
  return url;
}

/**
 * `amqp://user:pass@host:5672/vhost` → where the broker is and which management API to ask. The vhost is the path
 * without its first `/`, percent-decoded (`amqp://host//` and `amqp://host` are kombu's `/`; `%2F` is `/`).
 */
export function parseBrokerUrl(raw: string, apiRaw?: string): BrokerTarget {
  const url = parseUrl('--broker', raw);
  const scheme = BROKER_SCHEMES[url.protocol];
  if (!scheme) {
    throw new InputError(`--broker ${redactUrl(raw)}: expected an amqp://, amqps:// or pyamqp:// URL (RabbitMQ); a Redis broker goes to --redis.`);
  }
  if (!url.hostname) throw new InputError(`--broker ${redactUrl(raw)}: the URL names no host.`);
  const port = url.port ? Number(url.port) : scheme.port;
  const path = url.pathname.startsWith('/') ? url.pathname.slice(1) : url.pathname;
  const vhost = decode(path) || '/';
  const user = url.username ? decode(url.username) : KOMBU_DEFAULT_USER;
  const password = url.password ? decode(url.password) : url.username ? '' : KOMBU_DEFAULT_PASSWORD;
  const host = url.hostname;
  let api: ManagementApiTarget;
  if (apiRaw !== undefined) {
    const parsed = parseUrl('--rabbitmq-api', apiRaw);
    if (!/^https?:$/.test(parsed.protocol)) throw new InputError(`--rabbitmq-api ${redactUrl(apiRaw)}: expected an http:// or https:// URL.`);
    // Its own credentials win; otherwise the broker's (the user the workers connect with may lack the tag).
    const own = Boolean(parsed.username);
    const apiUser = own ? decode(parsed.username) : user;
    const apiPassword = own ? decode(parsed.password) : password;
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    const base = parsed.toString().replace(/\/+$/, '');
    api = { base, label: base, user: apiUser, password: apiPassword };
  } else {
    const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const base = `http://${hostPart}:${DEFAULT_MANAGEMENT_PORT}`;
    api = { base, label: base, user, password };
  }
  const secrets = [url.password, decode(url.password), api.password].filter((secret) => secret && secret.length > 0);
  return { label: redactUrl(raw), host, port, tls: scheme.tls, vhost, api, secrets: [...new Set(secrets)] };
}
