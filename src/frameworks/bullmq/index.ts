import type { FrameworkLive, QueueFramework } from '../framework.js';
import { bullmqJavascript } from './javascript.js';
import { bullmqLive } from './live-part.js';
import { bullmqProject } from './project.js';

/** BullMQ (and Bull, BullMQ Pro): `new Queue(...)`, FlowProducer children; workers are scripts (`new Worker`). */
export const bullmq: QueueFramework<'bullmq', 'js'> & { live: FrameworkLive } = {
  id: 'bullmq',
  language: 'js',
  // `new Queue(`, `queue.add(` (also `queue\n  .add(`), `upsertJobScheduler(`, FlowProducer's `queueName:`.
  needles: { anywhere: ['.add'], calls: ['queue', 'Queue'], schedulerShapes: true },
  recognizer: bullmqJavascript,
  vocabulary: [
    "import { Queue } from 'bullmq';\nexport const NAME = new Queue('QUEUE', { connection });\n",
    "import { NAME } from './queues';\nawait NAME.add('job', data);\n",
    "import { Queue } from 'bullmq';\nconst NAME = new Queue('QUEUE');\nawait NAME\n  .addBulk([{ name: 'a', data }]);\n",
    "import { NAME } from './queues.js';\nawait NAME.upsertJobScheduler('id', { every: 1000 });\n",
    "import { FlowProducer } from 'bullmq';\nconst flow = new FlowProducer();\nawait flow.add({ name: 'NAME', queueName: 'QUEUE', children: [] });\n",
    "import * as bullmq from 'bullmq';\nexport function NAME() {\n  return new bullmq.Queue('QUEUE');\n}\n",
  ],
  project: bullmqProject,
  live: bullmqLive,
};
