import { globMatcher } from '../../glob.js';
import type { Position } from '../../languages/facts.js';
import { dictGet, nameOf, queueNamesOf, type PyLiteral } from '../../languages/python/evaluate.js';
import { flagOf, PythonRegex, UnsupportedPattern, type RegexFlags } from '../../languages/python/regex.js';
import type { CeleryAppFact, CelerySetting, CeleryModuleFacts } from './module-facts.js';
import { likelySettingName, OLD_SETTING_NAMES } from './python-settings.js';

/** Where the project's Celery app gets a queue setting, resolved. */
export interface CeleryValue<T> {
  value: T;
  file: string;
  position: Position;
  setting: string;
}

/** A setting name Celery ignores under the app's namespace. */
export interface IgnoredSetting {
  name: string;
  shouldBe: string;
  file: string;
  position: Position;
  namespace: string;
  /** The name is no setting Celery knows but is one or two edits from `shouldBe` (a typo), not a pre-4.0 name. */
  typo?: true;
}

/** One Celery app's configuration, as far as queues go. */
export interface CeleryAppConfig {
  /** Where the app is built (absent: no `Celery(...)` in the project; the defaults apply). */
  app?: { file: string; position: Position };
  /** How reports name the app when the project has several: its main name, else `file:variable`. */
  label?: string;
  defaultQueue: CeleryValue<string> | { value: string; setting: 'celery default' };
  /** `task_queues`: the queues a worker without `-Q` consumes (instead of the default queue). */
  queues?: CeleryValue<string[]>;
  routes?: CeleryValue<PyLiteral>;
  beatSchedule?: CeleryValue<PyLiteral>;
  ignored: IgnoredSetting[];
}

/**
 * The project's Celery configuration. With one app (or none) the project is that app: every module's settings are
 * joined into it. With several, `apps` holds one configuration per app, each with the settings given to that app
 * object (through imports), and the top-level fields are the first app's.
 */
export interface CeleryProject extends CeleryAppConfig {
  apps: CeleryAppConfig[];
  /** The app a name in a module stands for (`@billing_app.task` in `billing/tasks.py`); with one app, that app. */
  appAt(file: string, receiver: string): CeleryAppConfig | undefined;
  /** The app `celery -A <target>` loads, as Celery's `find_app` finds it; with one app, that app. */
  find(target: string): CeleryAppConfig | undefined;
}

/** The file of a dotted module name among the project's files (also under a top-level source dir such as `src/`). */
export function moduleFile(files: readonly string[], module: string): string | undefined {
  const path = module.replace(/\./g, '/');
  const candidates = [`${path}.py`, `${path}/__init__.py`];
  return files.find((file) => candidates.includes(file)) ?? files.find((file) => candidates.some((c) => file.endsWith(`/${c}`)));
}

type Definition = (file: string, name: string) => { file: string; name: string } | null;

/** How the project's modules link, for reading a configuration module as Python would. */
export interface ModuleLinks {
  /** Every source file of the project: a module named in a string (`'django.conf:settings'`) is looked up here. */
  files: readonly string[];
  /** The modules `file` takes every name of (`from settings.common import *`), lowest precedence first. */
  starModules(file: string): string[];
  /** The import a module-level name is (`settings` → `django.conf`, `settings`), when it is one. */
  importOf(file: string, name: string): { module: string; name: string } | undefined;
  /** DJANGO_SETTINGS_MODULE as the deployment sets it: it wins over every `os.environ.setdefault`. */
  deployedSettingsModule?: string;
  /** DJANGO_SETTINGS_MODULE as the entry points (manage.py, wsgi.py, …) set it, when no analyzed module does. */
  entryPointSettingsModule?: string;
}
interface Entry<T> {
  file: string;
  item: T;
}

/** Joins the modules' facts into the project's Celery configuration (one per app). */
export function celeryProject(
  files: readonly string[],
  factsOf: (file: string) => CeleryModuleFacts | undefined,
  resolveName: (file: string, name: string) => string | null,
  definition: Definition = (file, name) => ({ file, name }),
  links?: ModuleLinks,
): CeleryProject {
  const withFacts = files.map((file) => [file, factsOf(file)] as const).filter((entry): entry is [string, CeleryModuleFacts] => entry[1] !== undefined);
  const apps = withFacts.flatMap(([file, facts]) => facts.apps.map((app) => ({ file, app })));
  const configFrom: Entry<CeleryModuleFacts['configFrom'][number]>[] = [];
  const appSettings: Entry<CelerySetting>[] = [];
  for (const [file, facts] of withFacts) {
    configFrom.push(...facts.configFrom.map((item) => ({ file, item })));
    appSettings.push(...facts.appSettings.map((item) => ({ file, item })));
  }
  const djangoModule =
    links?.deployedSettingsModule ?? withFacts.find(([, facts]) => facts.djangoSettingsModule)?.[1].djangoSettingsModule ?? links?.entryPointSettingsModule;
  if (apps.length <= 1) {
    // One app: today's join of every module's settings (the app is whatever object they are set on).
    const config = configure(apps[0], files, factsOf, resolveName, configFrom, appSettings, djangoModule, links);
    return { ...config, apps: [config], appAt: () => config, find: () => config };
  }
  /** The app an object named in a module is: followed through imports to the module-level name it is built as. */
  const appIndex = (file: string, receiver: string | undefined): number => {
    if (receiver === undefined) {
      // `Celery(…, k=v)` without a variable: the module's only app.
      const own = apps.flatMap((app, index) => (app.file === file ? [index] : []));
      return own.length === 1 ? own[0]! : -1;
    }
    if (receiver.includes('.')) return -1;
    const found = definition(file, receiver);
    return found ? apps.findIndex((app) => app.file === found.file && app.app.variable === found.name) : -1;
  };
  const configs = apps.map((app, index) => {
    const own = <T extends { receiver?: string }>(entries: Entry<T>[]) => entries.filter(({ file, item }) => appIndex(file, item.receiver) === index);
    const django = links?.deployedSettingsModule ?? factsOf(app.file)?.djangoSettingsModule ?? djangoModule;
    const config = configure(app, files, factsOf, resolveName, own(configFrom), own(appSettings), django, links);
    const labels = apps.filter((other) => other.app.main !== undefined && other.app.main === app.app.main).length;
    config.label = app.app.main !== undefined && labels === 1 ? app.app.main : `${app.file}:${app.app.variable ?? `line ${app.app.position.line}`}`;
    return config;
  });
  const appAt = (file: string, receiver: string) => configs[appIndex(file, receiver)];
  const find = (target: string) => {
    const found = findApp(target, files, factsOf, definition, 0);
    return found ? configs[apps.findIndex((app) => app.file === found.file && app.app.variable === found.name)] : undefined;
  };
  const first = configs[0]!;
  // Two apps reading one configuration module report its ignored names once.
  const seen = new Set<string>();
  const ignored = configs.flatMap((config) => config.ignored).filter((setting) => {
    const key = `${setting.file}:${setting.position.line}:${setting.position.column}`;
    return !seen.has(key) && seen.add(key) !== undefined;
  });
  return { ...first, ignored, apps: configs, appAt, find };
}

/**
 * Celery's `find_app` (celery/app/utils.py) over the project's files: `module:attr` is that attribute; a dotted name
 * is an attribute of its parent module when that module binds it, else a module; of a module, its `app`, else its
 * `celery`, else (a package) its `celery` submodule, else the app it builds. Returns the module-level name the app
 * is built as.
 */
function findApp(
  target: string,
  files: readonly string[],
  factsOf: (file: string) => CeleryModuleFacts | undefined,
  definition: Definition,
  depth: number,
): { file: string; name: string } | undefined {
  if (depth > 4 || !/^[\w.:]+$/.test(target)) return undefined;
  const isApp = (found: { file: string; name: string } | null) =>
    found && factsOf(found.file)?.apps.some((app) => app.variable === found.name) ? found : undefined;
  const colon = target.indexOf(':');
  if (colon >= 0) {
    const file = moduleFile(files, target.slice(0, colon));
    return file ? isApp(definition(file, target.slice(colon + 1))) : undefined;
  }
  const dot = target.lastIndexOf('.');
  if (dot > 0) {
    const parent = moduleFile(files, target.slice(0, dot));
    const attribute = parent ? isApp(definition(parent, target.slice(dot + 1))) : undefined;
    if (attribute) return attribute;
  }
  const file = moduleFile(files, target);
  if (!file) return undefined;
  const named = isApp(definition(file, 'app')) ?? isApp(definition(file, 'celery'));
  if (named) return named;
  if (file.endsWith('__init__.py')) {
    const submodule = findApp(`${target}.celery`, files, factsOf, definition, depth + 1);
    if (submodule) return submodule;
  }
  const built = factsOf(file)?.apps.find((app) => app.variable !== undefined);
  return built ? { file, name: built.variable! } : undefined;
}

/** One app's configuration from the settings given to it, lowest precedence first. */
function configure(
  app: { file: string; app: CeleryAppFact } | undefined,
  files: readonly string[],
  factsOf: (file: string) => CeleryModuleFacts | undefined,
  resolveName: (file: string, name: string) => string | null,
  configFrom: Entry<CeleryModuleFacts['configFrom'][number]>[],
  appSettings: Entry<CelerySetting>[],
  djangoModule: string | undefined,
  links: ModuleLinks | undefined,
): CeleryAppConfig {
  const project: CeleryAppConfig = { defaultQueue: { value: 'celery', setting: 'celery default' }, ignored: [] };
  if (app) project.app = { file: app.file, position: app.app.position };
  const lookup = links?.files ?? files;
  /** A configuration module's settings as Python sees them: those it takes with `from m import *` first. */
  const settingsOf = (file: string) =>
    [...(links?.starModules(file) ?? []), file].flatMap((module) => (factsOf(module)?.moduleSettings ?? []).map((setting) => ({ file: module, setting })));
  const djangoFile = djangoModule ? moduleFile(lookup, djangoModule) : undefined;
  // Lowest precedence first: configuration modules the app reads, then settings given in code.
  const settings: { file: string; setting: CelerySetting; name: string }[] = [];
  for (const { item: source } of configFrom) {
    const module = source.source === 'django.conf:settings' || source.source === 'django.conf.settings' ? djangoModule : source.source.split(':')[0];
    const configFile = module ? moduleFile(lookup, module) : undefined;
    if (!configFile) continue;
    const prefix = source.namespace ? `${source.namespace}_` : '';
    for (const { file, setting } of settingsOf(configFile)) {
      if (prefix) {
        const shouldBe = OLD_SETTING_NAMES[setting.name];
        if (shouldBe !== undefined && `${prefix}${shouldBe.toUpperCase()}` !== setting.name) {
          project.ignored.push({ name: setting.name, shouldBe: `${prefix}${shouldBe.toUpperCase()}`, file, position: setting.position, namespace: source.namespace! });
          continue;
        }
        if (!setting.name.startsWith(prefix)) continue;
        const name = setting.name.slice(prefix.length).toLowerCase();
        const likely = likelySettingName(name);
        if (likely !== undefined) {
          project.ignored.push({ name: setting.name, shouldBe: `${prefix}${likely.toUpperCase()}`, file, position: setting.position, namespace: source.namespace!, typo: true });
          continue;
        }
        settings.push({ file, setting, name });
      } else {
        settings.push({ file, setting, name: OLD_SETTING_NAMES[setting.name] ?? setting.name });
      }
    }
  }
  for (const { file, item: setting } of appSettings) {
    // `app.conf.task_routes = settings.CELERY_ROUTES` (`from django.conf import settings`): that setting's value.
    const fromDjango = djangoFile && links ? djangoSetting(file, setting.value, links, () => settingsOf(djangoFile)) : undefined;
    settings.push(fromDjango ? { file: fromDjango.file, setting: { ...setting, value: fromDjango.setting.value, position: fromDjango.setting.position }, name: setting.name } : { file, setting, name: setting.name });
  }
  for (const { file, setting, name } of settings) {
    const where = { file, position: setting.position, setting: setting.name };
    if (name === 'task_default_queue') {
      const queue = stringOf(file, setting.value, resolveName);
      if (queue !== null) project.defaultQueue = { value: queue, ...where };
    } else if (name === 'task_queues') {
      // `task_queues = (Queue('a', …), Queue('b'), 'c')`: any call's first argument (or name=) is a queue's name.
      const queues = queueNamesOf(setting.value, (queueName) => resolveName(file, queueName), () => true);
      if (queues) project.queues = { value: queues, ...where };
    } else if (name === 'task_routes') project.routes = { value: setting.value, ...where };
    else if (name === 'beat_schedule') project.beatSchedule = { value: setting.value, ...where };
  }
  return project;
}

/** `settings.NAME` where `settings` is `from django.conf import settings`: NAME in the Django settings module. */
function djangoSetting(
  file: string,
  value: PyLiteral,
  links: ModuleLinks,
  settingsModule: () => { file: string; setting: CelerySetting }[],
): { file: string; setting: CelerySetting } | undefined {
  if (value.kind !== 'name') return undefined;
  const [object, name, ...rest] = value.name.split('.');
  if (name === undefined || rest.length) return undefined;
  const imported = links.importOf(file, object!);
  if (imported?.module !== 'django.conf' || imported.name !== 'settings') return undefined;
  return settingsModule().findLast(({ setting }) => setting.name === name);
}

/** A setting's string, or a plain name resolved in `file`: the evaluator's nameOf, in a settings module. */
export function stringOf(file: string, value: PyLiteral | undefined, resolveName: (file: string, name: string) => string | null): string | null {
  return nameOf(value, (name) => resolveName(file, name));
}

/** Where a task goes: explicit queue > `task_routes` > `task_default_queue`; a router Celery calls is unresolved. */
export type CeleryRoute =
  | { queue: string; by: 'route'; file: string; position: Position }
  | { queue: string; by: 'default' }
  | { queue: null; by: 'router'; expression: string };

/** `re.compile('pattern'[, flags])` as a linear matcher; undefined when the pattern or a flag is not supported. */
function routeRegex(key: Extract<PyLiteral, { kind: 'call' }>): PythonRegex | undefined {
  const pattern = key.args[0] ?? key.keywords['pattern'];
  const flagsValue = key.args[1] ?? key.keywords['flags'];
  if (pattern?.kind !== 'str' || key.args.length > 2) return undefined;
  const flags: RegexFlags = {};
  const names = flagsValue === undefined ? [] : flagsValue.kind === 'name' ? [flagsValue] : flagsValue.kind === 'bitor' ? flagsValue.items : undefined;
  for (const name of names ?? [{ kind: 'other' } as const]) {
    const flag = name.kind === 'name' ? flagOf(name.name) : null;
    if (flag === null) return undefined;
    if (flag !== 'none') flags[flag] = true;
  }
  try {
    return PythonRegex.compile(pattern.value, flags);
  } catch (error) {
    if (error instanceof UnsupportedPattern) return undefined;
    throw error;
  }
}

/** A route key the report can show: the pattern (control characters dropped, cut at 60 characters). */
function describeKey(key: Extract<PyLiteral, { kind: 'call' }>): string {
  const pattern = key.args[0] ?? key.keywords['pattern'];
  if (pattern?.kind !== 'str') return `${key.callee}(…) is not supported`;
  const text = pattern.value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
  return `${key.callee}(r'${text.length > 60 ? `${text.slice(0, 59)}…` : text}') is not supported`;
}

export function routeTask(project: CeleryAppConfig, task: string, resolveName: (file: string, name: string) => string | null): CeleryRoute {
  const routes = project.routes;
  if (routes) {
    const routers = routes.value.kind === 'list' ? routes.value.items : [routes.value];
    for (const router of routers) {
      if (router.kind !== 'dict') return { queue: null, by: 'router', expression: `task_routes (${routes.setting})` };
      const exact = router.entries.find(([key]) => key.kind === 'str' && !key.value.includes('*') && key.value === task);
      let match = exact;
      if (!match) {
        for (const entry of router.entries) {
          const [key] = entry;
          let matches: ((name: string) => boolean) | undefined;
          if (key.kind === 'str' && key.value.includes('*')) {
            // Celery's MapRoute compiles keys holding `*` with fnmatch.translate; matched linearly here.
            matches = globMatcher(key.value);
          } else if (key.kind === 'call' && /(^|\.)compile$/.test(key.callee)) {
            const regex = routeRegex(key);
            if (!regex) return { queue: null, by: 'router', expression: `task_routes (${routes.setting}): ${describeKey(key)}` };
            matches = (name) => regex.matchesAtStart(name);
          }
          if (matches?.(task)) {
            match = entry;
            break;
          }
        }
      }
      if (!match) continue;
      const [key, value] = match;
      const queue = value.kind === 'dict' ? stringOf(routes.file, dictGet(value, 'queue'), resolveName) : stringOf(routes.file, value, resolveName);
      if (queue === null && value.kind === 'dict' && !dictGet(value, 'queue')) break;
      if (queue === null) return { queue: null, by: 'router', expression: `task_routes (${routes.setting})` };
      return { queue, by: 'route', file: routes.file, position: key.position };
    }
  }
  return { queue: project.defaultQueue.value, by: 'default' };
}
