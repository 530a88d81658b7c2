import type { DeploymentEnvironment, DeploymentService } from '../model.js';
import { redactUrl } from '../redact.js';
import { finding } from '../finding.js';
import type { Consumer, Finding, Location } from '../types.js';

/**
 * celery-rabbitmq-broker, pure over data: an environment whose Celery workers use a RabbitMQ broker (an `amqp://`,
 * `amqps://` or kombu `pyamqp://` URL in a service's environment, or `celery … worker -b/--broker URL`). The live
 * stage reads such a broker only with `--broker`; `check` drops the notice when one is given.
 */

const RABBITMQ_URL = /^(?:py)?amqps?:\/\//i;

interface BrokerPlace {
  url: string;
  service: string;
  /** The variable or flag that holds it. */
  from: string;
  location: Location;
}

/** The worker's `-b URL` / `--broker URL` / `--broker=URL`, when it names RabbitMQ. */
function commandBroker(service: DeploymentService): BrokerPlace | undefined {
  const argv = service.command?.argv ?? [];
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const raw = word === '-b' || word === '--broker' ? argv[index + 1] : word.startsWith('--broker=') ? word.slice('--broker='.length) : undefined;
    if (raw !== undefined && RABBITMQ_URL.test(raw)) return { url: raw, service: service.name, from: word.split('=')[0]!, location: service.command!.location };
  }
  return undefined;
}

function environmentBroker(service: DeploymentService): BrokerPlace | undefined {
  for (const [name, entry] of Object.entries(service.environment)) {
    if (entry.value !== null && RABBITMQ_URL.test(entry.value)) return { url: entry.value, service: service.name, from: name, location: entry.location };
  }
  return undefined;
}

export function celeryRabbitmqBrokers(environments: DeploymentEnvironment[], consumers: Consumer[]): Finding[] {
  const findings: Finding[] = [];
  for (const environment of environments) {
    const workers = new Set(
      consumers.filter((consumer) => consumer.environment === environment.name && consumer.detectedBy.startsWith('celery')).map((consumer) => consumer.service),
    );
    if (workers.size === 0) continue;
    // The workers' own setting first: that is the broker whose consumers matter.
    const ordered = [...environment.services].sort((a, b) => Number(workers.has(b.name)) - Number(workers.has(a.name)));
    const place = ordered.map((service) => commandBroker(service) ?? environmentBroker(service)).find(Boolean);
    if (!place) continue;
    findings.push(
      finding('celery-rabbitmq-broker', {
        message: `Celery's broker in \`${environment.name}\` is RabbitMQ (\`${place.from}\` of service \`${place.service}\`: ${redactUrl(place.url)}); the live stage reads it only when given --broker.`,
        hint: 'Run check or live with `--broker amqp://user:pass@host:5672/vhost` (a user with the `monitoring` tag suffices; `--rabbitmq-api URL` when the management API is not on port 15672) to see which queues have a consumer.',
        environment: environment.name,
        service: place.service,
        location: place.location,
      }),
    );
  }
  return findings;
}
