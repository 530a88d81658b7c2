import { describe, expect, it } from 'vitest';
import { memoryFileSystem } from '../../src/fs.js';
import { runStatic } from '../../src/static.js';

/**
 * One Resolver per run, over the files the scan's walk lists: a worker script resolves an imported name exactly
 * as a producer does. Before, worker scripts (and the rqworker override, BullMQ prefixes, Sidekiq endpoints) had
 * their own Resolver over every project file, so a gitignored or --ignore'd module gave a worker its queues while
 * the producers next to it could not read the same constant.
 */
const PROJECT = {
  '/p/docker-compose.yml': 'services:\n  api:\n    image: app\n    command: gunicorn app:app\n  worker:\n    image: app\n    command: python worker.py\n',
  '/p/app.py': "from redis import Redis\nfrom rq import Queue\nfrom local_settings import QUEUE\nq = Queue(QUEUE, connection=Redis())\n",
  '/p/worker.py': "import os\nfrom rq import Worker\nfrom local_settings import QUEUES\nWorker(os.getenv('RQ_QUEUES', QUEUES).split(',')).work()\n",
  '/p/local_settings.py': "QUEUE = 'mail'\nQUEUES = 'mail'\n",
};

async function staticRun(files: Record<string, string>, ignore?: string[]) {
  const { section } = await runStatic({ fs: memoryFileSystem(files), root: '/p', ...(ignore ? { ignore } : {}) });
  return { producer: section.producers[0], consumer: section.consumers.find((consumer) => consumer.service === 'worker') };
}

describe('one Resolver per run', () => {
  it('a module the walk lists gives the producer and the worker script its constants alike', async () => {
    const { producer, consumer } = await staticRun(PROJECT);
    expect(producer).toMatchObject({ queue: 'mail' });
    expect(consumer).toMatchObject({ queues: ['mail'], queueSource: 'code-default', variable: 'RQ_QUEUES' });
  });
  it('a gitignored module gives neither its constants (the worker script read it)', async () => {
    const { producer, consumer } = await staticRun({ ...PROJECT, '/p/.gitignore': 'local_settings.py\n' });
    expect(producer?.queue).toBeNull();
    expect(consumer).toMatchObject({ queues: [], queueSource: 'code-default', unsetVariables: ['RQ_QUEUES'] });
  });
  it('an --ignore\'d module gives neither its constants', async () => {
    const { producer, consumer } = await staticRun(PROJECT, ['local_settings.py']);
    expect(producer?.queue).toBeNull();
    expect(consumer).toMatchObject({ queues: [], unsetVariables: ['RQ_QUEUES'] });
  });
});
