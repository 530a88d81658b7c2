import type { FrameworkLive, QueueFramework } from '../framework.js';
import { celeryLive } from './live-part.js';
import { celeryProjectStep } from './project-step.js';
import { celeryPython } from './python.js';
import { celery as celeryWorkerProgram } from './worker-program.js';

/** Celery: tasks and their routing, `celery worker -Q`; kombu's redis transport in Redis. */
export const celery: QueueFramework<'celery', 'python'> & { live: FrameworkLive } = {
  id: 'celery',
  language: 'python',
  // Apps, configuration modules and Django settings name `celery`/`CELERY` or set `task_routes`/`beat_schedule`; tasks
  // are `.task`/`shared_task` decorators, sent with `.delay(`, `.apply_async(`, `send_task(` or a signature.
  needles: {
    anywhere: ['.delay', 'elery', 'ELERY', '.task', 'shared_task', 'task_routes', 'beat_schedule', '.apply_async', 'send_task', '.s(', '.si(', '.signature('],
  },
  recognizer: celeryPython,
  vocabulary: [
    'from celery import shared_task\n@shared_task\ndef NAME():\n    pass\n',
    'from proj.celery import app\n@app.task(queue="QUEUE")\ndef NAME():\n    pass\n',
    'from app.tasks import NAME\nNAME.apply_async(args=(1,), queue="QUEUE")\n',
    'from app.tasks import NAME\nNAME.s(1).set(queue="QUEUE").delay()\n',
    'from proj.celery import app\napp.send_task("proj.tasks.NAME", queue="QUEUE")\n',
    'from celery import Celery\nNAME = Celery("proj")\nNAME.conf.task_default_queue = "QUEUE"\n',
  ],
  // Apps, routes and beat join across modules: routes task sends, makes beat's producers, hands `celery worker` the apps.
  project: celeryProjectStep,
  // A task is a producer where `.delay`/`.apply_async`/a signature sends it, not where `@app.task` defines it.
  sentOnlyKinds: ['celery-task'],
  workerPrograms: [celeryWorkerProgram],
  live: celeryLive,
};
