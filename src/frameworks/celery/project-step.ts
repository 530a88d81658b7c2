import { finding } from '../../finding.js';
import type { TaskSend } from '../../languages/facts.js';
import type { Finding, Producer } from '../../types.js';
import type { FrameworkProjectStep } from '../framework.js';
import type { CeleryModuleFacts } from './module-facts.js';
import { celeryProject, routeTask, stringOf, type CeleryAppConfig, type CeleryProject, type IgnoredSetting } from './project.js';
import { dictGet } from '../../languages/python/evaluate.js';

type ResolveName = (file: string, name: string) => string | null;

/** The producer kinds Celery routes: its tasks, `send_task` and beat entries. */
const CELERY_KINDS = new Set<Producer['kind']>(['celery-task', 'celery-send-task', 'celery-beat']);

/**
 * Celery's project step: joins the modules' app configuration into the project's (`celeryProject`), routes each
 * task send through its app, makes the beat schedule's producers, hands `celery worker` the configuration
 * (`workerData`: a `CeleryProject`) and reports the settings Celery ignores.
 */
export const celeryProjectStep: FrameworkProjectStep = (context) => {
  const { resolveName } = context;
  const celery = celeryProject(context.modules, (file) => context.dataOf(file) as CeleryModuleFacts | undefined, resolveName, context.definition, {
    files: context.files,
    starModules: context.starModules,
    importOf: context.importOf,
    ...(context.settingsModule.deployed ? { deployedSettingsModule: context.settingsModule.deployed } : {}),
    ...(context.settingsModule.entryPoint ? { entryPointSettingsModule: context.settingsModule.entryPoint } : {}),
  });
  const route = taskRouter(celery, resolveName);
  const everyApp = celery.apps.length ? celery.apps : [celery];
  return {
    route: (producer, task, file) => (CELERY_KINDS.has(producer.kind) ? route(producer, task, file) : undefined),
    // Each app's beat sends its schedule's tasks through that app. Two apps reading one schedule send it twice.
    producersIn: (file) => everyApp.flatMap((app) => (app.beatSchedule?.file === file ? beatProducers(app, resolveName, route) : [])),
    workerData: celery,
    findings: celery.ignored.map(ignoredSettingFinding),
  };
};

/** The project's Celery configuration as `celery worker` reads it from `ProjectCode.frameworkData`. */
export const celeryWorkerData = (frameworkData: Readonly<Record<string, unknown>> | undefined): CeleryProject | undefined =>
  frameworkData?.celery as CeleryProject | undefined;

type Route = (producer: Producer, task: TaskSend, file: string, appOfSend?: CeleryAppConfig) => Producer[];

/**
 * A Celery task without its own queue: where its app's routes (or default queue) send it. With several apps, the
 * app is the one the task is bound to or sent through; a `@shared_task` is sent through whichever app is current in
 * the sending process, which the code does not say: it is routed through every app, one producer per distinct
 * queue (each naming its app). Returns the producers the send stands for (the given one, or copies of it).
 */
function taskRouter(celery: CeleryProject, resolveName: ResolveName): Route {
  const severalApps = celery.apps.length > 1;
  return (producer, task, file, appOfSend) => {
    const name = task.name ?? (task.function ? `${pythonModuleName(file)}.${task.function}` : undefined);
    if (name) producer.task = name;
    if (!task.routed) return [producer];
    const apps = appOfSend
      ? [appOfSend]
      : !severalApps || task.shared || task.app === 'current_app'
        ? celery.apps.length ? celery.apps : [celery]
        : [task.app === undefined ? undefined : celery.appAt(file, task.app)];
    const routes = apps.map((app) =>
      !app
        ? ({ queue: null, by: 'router' as const, expression: `the Celery app \`${task.app ?? '?'}\` (several apps; not traced to one)` })
        : name
          ? routeTask(app, name, resolveName)
          : ({ queue: null, by: 'router' as const, expression: 'the task name' }),
    );
    const distinct = routes.filter((routed, index) => routes.findIndex((other) => other.queue === routed.queue && other.by === routed.by) === index);
    return distinct.map((routed) => {
      const copy = distinct.length > 1 ? { ...producer } : producer;
      copy.queue = routed.queue;
      delete copy.expression;
      if (routed.queue === null) copy.expression = routed.expression;
      else copy.routedBy = routed.by;
      const app = apps[routes.indexOf(routed)];
      if (severalApps && app?.label && (apps.length === 1 || distinct.length > 1)) {
        copy.celeryApp = app.label;
        const at = routed.by === 'route' ? routed : routed.by === 'default' && 'file' in app.defaultQueue ? app.defaultQueue : undefined;
        if (at) copy.routedAt = { file: at.file, line: at.position.line, column: at.position.column };
      }
      return copy;
    });
  };
}

/** The Python module a file is (`proj/tasks.py` → `proj.tasks`): Celery names a task `<module>.<function>`. */
function pythonModuleName(file: string): string {
  return file.replace(/\.py$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

/** `beat_schedule` entries: each sends its `task` to `options.queue`, or where the routes send it. */
function beatProducers(celery: CeleryAppConfig, resolveName: ResolveName, route: Route): Producer[] {
  const schedule = celery.beatSchedule!;
  if (schedule.value.kind !== 'dict') return [];
  const producers: Producer[] = [];
  for (const [key, entry] of schedule.value.entries) {
    const task = stringOf(schedule.file, dictGet(entry, 'task'), resolveName);
    if (task === null) continue;
    const queueValue = dictGet(dictGet(entry, 'options'), 'queue');
    const queue = queueValue ? stringOf(schedule.file, queueValue, resolveName) : null;
    const location = { file: schedule.file, line: key.position.line, column: key.position.column };
    const producer: Producer = { queue, kind: 'celery-beat', location, via: 'beat_schedule' };
    if (queueValue && queue === null) producer.expression = 'options.queue';
    producers.push(...route(producer, { name: task, routed: !queueValue }, schedule.file, celery));
  }
  return producers;
}

/** celery-setting-ignored: a setting name the app's namespace makes Celery ignore (an old name, or a typo). */
function ignoredSettingFinding(setting: IgnoredSetting): Finding {
  return finding('celery-setting-ignored', {
    message: setting.typo
      ? `Celery ignores \`${setting.name}\`: it is no setting Celery knows under namespace \`${setting.namespace}\`; it is most likely \`${setting.shouldBe}\`.`
      : `Celery ignores \`${setting.name}\`: the app reads its settings with namespace \`${setting.namespace}\`, where this setting is \`${setting.shouldBe}\`.`,
    hint: `Rename \`${setting.name}\` to \`${setting.shouldBe}\`.`,
    location: { file: setting.file, line: setting.position.line, column: setting.position.column },
  });
}
