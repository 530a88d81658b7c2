import type { DeploymentEnvironment, DeploymentService } from '../model.js';
import type { Consumer, Producer, ProducerQueueInEnvironment } from '../types.js';

/**
 * The services of an environment that run the code in `file`: those whose code comes from a directory holding it
 * (a build context, a checkout), preferring services that are not workers, since producers run in the API. A
 * service whose code root is the project root may run any file; one with no code root runs none.
 */
export function servicesRunning(
  file: string,
  environment: Pick<DeploymentEnvironment, 'name' | 'services'>,
  consumers: Consumer[],
): DeploymentService[] {
  const runs = (service: DeploymentService) => {
    // No code root: an image built elsewhere runs none of the project's code.
    const root = service.code.roots[0];
    return root !== undefined && (root === '' || file === root || file.startsWith(`${root}/`));
  };
  const workers = new Set(consumers.filter((c) => c.environment === environment.name).map((c) => c.service));
  const candidates = environment.services.filter(runs);
  const producers = candidates.filter((service) => !workers.has(service.name));
  return producers.length ? producers : candidates;
}

/**
 * Resolves the queues of producers whose name is read from the environment (`Queue(os.getenv('SYNC_QUEUE',
 * 'default'))`), per environment: the value the services running that code set, else the code default. Returns
 * the producers with `environments` filled in; the others unchanged. Pure.
 */
export function resolveProducerEnvironments(
  environments: Pick<DeploymentEnvironment, 'name' | 'services'>[],
  producers: Producer[],
  consumers: Consumer[],
): Producer[] {
  return producers.map((producer) => {
    if (!producer.env) return producer;
    const { variable, default: fallback } = producer.env;
    const resolved: ProducerQueueInEnvironment[] = [];
    for (const environment of environments) {
      const setters = servicesRunning(producer.location.file, environment, consumers).filter(
        (service) => service.environment[variable] !== undefined && service.environment[variable]!.value !== null,
      );
      if (setters.length === 0) {
        resolved.push({ environment: environment.name, queue: fallback, source: 'code-default' });
        continue;
      }
      const byValue = new Map<string, DeploymentService[]>();
      for (const service of setters) {
        const value = service.environment[variable]!.value!;
        byValue.set(value, [...(byValue.get(value) ?? []), service]);
      }
      for (const [value, services] of byValue) {
        resolved.push({
          environment: environment.name,
          queue: value,
          source: 'environment',
          services: services.map((service) => service.name),
          location: services[0]!.environment[variable]!.location,
        });
      }
    }
    return { ...producer, environments: resolved };
  });
}

/** The queues a producer enqueues to in one environment (one per distinct value the services set; null: unresolved). */
export function producerQueuesIn(producer: Producer, environment: string): (string | null)[] {
  const entries = producer.environments?.filter((entry) => entry.environment === environment) ?? [];
  return entries.length ? entries.map((entry) => entry.queue) : [producer.queue];
}

/** Every queue a producer may enqueue to, over all environments and its code default. */
export function producerQueues(producer: Producer): string[] {
  const queues = new Set<string>();
  if (producer.queue !== null) queues.add(producer.queue);
  for (const entry of producer.environments ?? []) if (entry.queue !== null) queues.add(entry.queue);
  return [...queues];
}
