import type { FrameworkProjectStep } from '../framework.js';

/**
 * BullMQ's project step: a producer made from a `new Queue(name, { prefix })` carries the key prefix its jobs go
 * under, resolved across modules (`prefix: PREFIX` imported, `process.env.BULL_PREFIX ?? 'app'` kept symbolic and
 * resolved per environment). The analysis compares it with the workers' (connection-mismatch) and live reads it.
 */
export const bullmqProject: FrameworkProjectStep = (context) => ({
  completeProducer(producer, object, file) {
    if (object.kind !== 'bullmq-queue' || !object.connection?.prefix) return;
    const prefix = context.resolveValue(file, object.connection.prefix);
    if (prefix?.kind === 'literal') producer.prefix = prefix.value;
    else if (prefix?.kind === 'env') producer.prefix = { variable: prefix.variable, default: prefix.fallback };
  },
});
