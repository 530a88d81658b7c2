/**
 * django-rq: `django_rq.get_queue(...)`, `django_rq.enqueue(...)` (the `default` queue) and `@django_rq.job`
 * (bare: `default`). The producer kind it yields is `django-rq-get-queue`; `get_queue` on any receiver counts too.
 * `django_rq.get_scheduler('x')` (`default` when none) is an rq-scheduler queue object: its `enqueue_at`,
 * `enqueue_in`, `schedule` and `cron` calls enqueue to `x`.
 */
export const isDjangoRqModule = (module: string): boolean => module.startsWith('django_rq');
