/**
 * BullMQ (and Bull, BullMQ Pro), as the JS/TS analyzer recognises it: `new Queue(...)` with `Queue` imported from
 * one of these modules (producer kind `bullmq-queue`), and `FlowProducer.add/addBulk` children's `queueName`
 * (`bullmq-flow`). `new Worker(...)` is consumer-side: worker scripts are read for it.
 */
export const BULLMQ_MODULE = /^(?:bullmq|bull|@taskforcesh\/bullmq-pro)$/;

/**
 * Methods that enqueue on a BullMQ `Queue`: jobs (`add`, also repeatable ones with `{ repeat }`), bulk adds, and job
 * schedulers (`upsertJobScheduler`). `add`/`addBulk` on a `FlowProducer` are read for their children instead.
 */
export const ENQUEUE_METHODS = new Set(['add', 'addBulk', 'upsertJobScheduler']);
