/**
 * BullMQ (and Bull, BullMQ Pro), as the JS/TS analyzer recognises it: `new Queue(...)` with `Queue` imported from
 * one of these modules (producer kind `bullmq-queue`), and `FlowProducer.add/addBulk` children's `queueName`
 * (`bullmq-flow`). `new Worker(...)` is consumer-side: worker scripts are read for it.
 */
export const BULLMQ_MODULE = /^(?:bullmq|bull|@taskforcesh\/bullmq-pro)$/;
