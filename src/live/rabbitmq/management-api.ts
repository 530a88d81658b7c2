/**
 * RabbitMQ's management HTTP API, read-only: GET requests only, each with a deadline and a capped body, Basic
 * authentication, and every failure turned into one line that names what to do (enable the plugin, the
 * `monitoring` tag, the vhost) without the password.
 */
import { UnreachableError } from '../../errors.js';
import { scrubSecrets } from '../../redact.js';
import { HttpFailure, httpRequest } from '../../smoke/http.js';
import type { BrokerTarget } from './broker-url.js';

/** One answer's body at most: a page of queues with the columns asked for is a few hundred KiB. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The API answered but refused (401/403), or has no such object (404: the vhost's queues of a vhost that does not
 * exist). Like an unreachable broker: exit 2 standalone, `live-unreachable` inside `check`.
 */
export class ManagementApiRefused extends UnreachableError {
  override name = 'ManagementApiRefused';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message, 'rabbitmq');
  }
}

export interface ManagementApi {
  /** GET `path` (already encoded, with its query) and parse the JSON answer. */
  get(path: string): Promise<unknown>;
  /** GET requests made so far. */
  readonly requests: number;
}

const ENABLE_PLUGIN = '`rabbitmq-plugins enable rabbitmq_management`';

/** The broker's `{"error": …, "reason": …}` as one short text. */
function reasonOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { reason?: unknown; error?: unknown };
    const reason = typeof parsed.reason === 'string' ? parsed.reason : typeof parsed.error === 'string' ? parsed.error : '';
    return reason.slice(0, 200);
  } catch {
    return '';
  }
}

export function managementApi(target: BrokerTarget, timeoutMs: number): ManagementApi {
  const { api } = target;
  const authorization = `Basic ${Buffer.from(`${api.user}:${api.password}`).toString('base64')}`;
  const scrub = (text: string) => scrubSecrets(text, target.secrets);
  let requests = 0;
  return {
    get requests() {
      return requests;
    },
    async get(path: string): Promise<unknown> {
      requests += 1;
      const url = new URL(`${api.base}${path}`);
      let answer;
      try {
        answer = await httpRequest(url, {
          method: 'GET',
          headers: { authorization, accept: 'application/json' },
          timeoutMs,
          insecure: false,
          maxBytes: MAX_ANSWER_BYTES + 1,
        });
      } catch (error) {
        if (!(error instanceof HttpFailure)) throw error;
        const plugin =
          error.code === 'ECONNREFUSED'
            ? `: is the management plugin enabled (${ENABLE_PLUGIN}) and listening there? Otherwise give its address with --rabbitmq-api`
            : '';
        throw new UnreachableError(scrub(`RabbitMQ management API at ${api.label} (for ${target.label}): ${error.message}${plugin}.`), 'rabbitmq', { cause: error });
      }
      const reason = scrub(reasonOf(answer.body));
      if (answer.status === 401 || answer.status === 403) {
        const vhostDenied = /virtual host|vhost/i.test(reason);
        const advice = vhostDenied
          ? `give user \`${api.user}\` an entry on vhost \`${target.vhost}\`, even one without any permission (\`rabbitmqctl set_permissions -p ${target.vhost} ${api.user} '' '' ''\`)`
          : /login failed/i.test(reason)
            ? `check the user and password of ${target.label}, or give the API its own with --rabbitmq-api http://user:pass@host:15672`
            : `give user \`${api.user}\` the \`monitoring\` tag (\`rabbitmqctl set_user_tags ${api.user} monitoring\`), which reads everything the live stage needs and writes nothing`;
        throw new ManagementApiRefused(
          scrub(`RabbitMQ management API at ${api.label} refused user \`${api.user}\` (HTTP ${answer.status}${reason ? `: ${reason}` : ''}): ${advice}.`),
          answer.status,
        );
      }
      if (answer.status === 404) throw new ManagementApiRefused(scrub(`RabbitMQ management API at ${api.label}: ${path.split('?')[0]} not found (HTTP 404).`), 404);
      if (answer.status !== 200) {
        throw new UnreachableError(scrub(`RabbitMQ management API at ${api.label} answered HTTP ${answer.status}${reason ? ` (${reason})` : ''} to ${path.split('?')[0]}.`), 'rabbitmq');
      }
      if (answer.body.length > MAX_ANSWER_BYTES) {
        throw new UnreachableError(`RabbitMQ management API at ${api.label}: the answer to ${path.split('?')[0]} is over ${MAX_ANSWER_BYTES / 1024 / 1024} MiB.`, 'rabbitmq');
      }
      try {
        return JSON.parse(answer.body) as unknown;
      } catch {
        throw new UnreachableError(
          `RabbitMQ management API at ${api.label}: the answer to ${path.split('?')[0]} is not JSON; is this the management API (${ENABLE_PLUGIN}, port 15672)?`,
          'rabbitmq',
        );
      }
    },
  };
}
