import type { Position } from '../../languages/facts.js';
import type { PyArg, PyCall, PythonCallIndex } from '../../languages/python/calls.js';
import type { PyToken } from '../../languages/python/tokenizer.js';
import { parseLiteral, type PyLiteral } from '../../languages/python/evaluate.js';
import { OLD_SETTING_NAMES } from './python-settings.js';

/**
 * What one module says about a Celery app's configuration: its `Celery(…)` apps, `app.conf.update(…)` and
 * `config_from_object(…)`, module-level settings (`CELERY_*`, `task_routes`, `beat_schedule`, …) and
 * `os.environ.setdefault('DJANGO_SETTINGS_MODULE', …)`. The project step (project.ts) joins the modules' facts.
 */

/** A setting the code gives a Celery app or a configuration module. */
export interface CelerySetting {
  name: string;
  value: PyLiteral;
  position: Position;
  /** The object the setting is given to (`billing_app` of `billing_app.conf.update(…)`, the variable of `Celery(…)`). */
  receiver?: string;
}

/** A `Celery(...)` app a module builds. */
export interface CeleryAppFact {
  /** The module-level name it is assigned to (`app = Celery('billing')` → `app`). */
  variable?: string;
  /** Its main name (`Celery('billing')`), when a literal. */
  main?: string;
  position: Position;
}

/** What one module says about Celery's configuration. */
export interface CeleryModuleFacts {
  /** The module builds a `Celery(...)` app (the first one). */
  app?: Position;
  /** Every `Celery(...)` app the module builds. */
  apps: CeleryAppFact[];
  /** Settings given to the app in code: `Celery(…, k=v)`, `app.conf.update(…)`, `app.conf.k = v`. */
  appSettings: CelerySetting[];
  /** Module-level assignments named like settings (used when the app reads this module). */
  moduleSettings: CelerySetting[];
  /**
   * `app.config_from_object('module' or 'django.conf:settings', namespace=…)`, and `Celery(…, config_source=…)`
   * (with the app's own `namespace=`).
   */
  configFrom: { source: string; namespace?: string; position: Position; receiver?: string }[];
  /** `os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')`. */
  djangoSettingsModule?: string;
}

/** Lower-case setting names (new style) a module may assign at module level. */
const NEW_NAMES = new Set([...Object.values(OLD_SETTING_NAMES), 'task_default_queue', 'task_routes', 'task_queues', 'beat_schedule', 'broker_url']);
const isSettingName = (name: string) => /^(CELERY|BROKER)[A-Z0-9_]*$/.test(name) || NEW_NAMES.has(name);

/** Module-level `NAME = literal` lines whose names look like Celery settings, and `app.conf.name = literal`. */
export function moduleSettings(tokens: readonly PyToken[]): { module: CelerySetting[]; conf: CelerySetting[] } {
  const module: CelerySetting[] = [];
  const conf: CelerySetting[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.indent !== 0 || token.type !== 'name') continue;
    let j = i + 1;
    const target = [token.value];
    while (tokens[j]?.value === '.' && tokens[j + 1]?.type === 'name') {
      target.push(tokens[j + 1]!.value);
      j += 2;
    }
    if (tokens[j]?.value !== '=') continue;
    let end = j + 1;
    while (end < tokens.length && tokens[end]!.type !== 'newline') end++;
    const name = target.at(-1)!;
    const setting = () => ({ name, value: parseLiteral(tokens, j + 1, end), position: { line: token.line, column: token.column } });
    if (target.length === 1 && isSettingName(name)) module.push(setting());
    else if (target.length === 3 && target[1] === 'conf' && NEW_NAMES.has(name)) conf.push({ ...setting(), receiver: target[0]! });
    i = end - 1;
  }
  return { module, conf };
}

/** A module's Celery configuration facts (undefined when it has none). */
export function celeryModuleFacts({ tokens, calls, keyword, positional }: PythonCallIndex): CeleryModuleFacts | undefined {
  const facts: CeleryModuleFacts = { apps: [], appSettings: [], moduleSettings: [], configFrom: [] };
  const at = (i: number): Position => ({ line: tokens[i]!.line, column: tokens[i]!.column });
  const literalOf = (arg: PyArg | undefined) => (arg ? parseLiteral(tokens, arg.from, arg.to) : undefined);
  /** `billing_app` of `billing_app.conf.update(…)`/`billing_app.config_from_object(…)`. */
  const receiverOf = (call: PyCall, parts: number) => (call.callee.length > parts ? call.callee.slice(0, -parts).join('.') : undefined);
  for (const call of calls) {
    if (call.decorator) continue;
    const last = call.callee.at(-1);
    if (last === 'Celery' && call.callee[0] !== '()') {
      facts.app ??= at(call.calleeStart);
      const variable = call.scopeKind === 'module' && call.wholeValue && call.assignTarget && !call.assignTarget.includes('.') ? call.assignTarget : undefined;
      const main = literalOf(positional(call, 0) ?? keyword(call, 'main'));
      facts.apps.push({ ...(variable ? { variable } : {}), ...(main?.kind === 'str' ? { main: main.value } : {}), position: at(call.calleeStart) });
      const receiver = variable ? { receiver: variable } : {};
      for (const name of NEW_NAMES) {
        const value = literalOf(keyword(call, name));
        if (value) facts.appSettings.push({ name, value, position: value.position, ...receiver });
      }
      // Celery(…, config_source=…) reads that object as config_from_object does, with the app's namespace.
      const source = literalOf(keyword(call, 'config_source'));
      const namespace = literalOf(keyword(call, 'namespace'));
      if (source?.kind === 'str' || source?.kind === 'name') {
        const name = source.kind === 'str' ? source.value : source.name;
        facts.configFrom.push({ source: name, ...(namespace?.kind === 'str' ? { namespace: namespace.value } : {}), position: source.position, ...receiver });
      }
    } else if (last === 'update' && call.callee.at(-2) === 'conf') {
      const receiver = receiverOf(call, 2);
      const on = receiver !== undefined ? { receiver } : {};
      const dict = literalOf(positional(call, 0));
      if (dict?.kind === 'dict') {
        for (const [key, value] of dict.entries) if (key.kind === 'str') facts.appSettings.push({ name: key.value, value, position: key.position, ...on });
      }
      for (const name of NEW_NAMES) {
        const value = literalOf(keyword(call, name));
        if (value) facts.appSettings.push({ name, value, position: value.position, ...on });
      }
    } else if (last === 'config_from_object') {
      const source = literalOf(positional(call, 0) ?? keyword(call, 'obj'));
      const namespace = literalOf(keyword(call, 'namespace'));
      const name = source?.kind === 'str' ? source.value : source?.kind === 'name' ? source.name : undefined;
      if (name !== undefined) {
        const receiver = receiverOf(call, 1);
        facts.configFrom.push({
          source: name,
          ...(namespace?.kind === 'str' ? { namespace: namespace.value } : {}),
          position: at(call.calleeStart),
          ...(receiver !== undefined ? { receiver } : {}),
        });
      }
    } else if (last === 'setdefault' && call.callee.at(-2) === 'environ') {
      const name = literalOf(positional(call, 0));
      const value = literalOf(positional(call, 1));
      if (name?.kind === 'str' && name.value === 'DJANGO_SETTINGS_MODULE' && value?.kind === 'str') facts.djangoSettingsModule = value.value;
    }
  }
  const { module, conf } = moduleSettings(tokens);
  facts.moduleSettings = module;
  facts.appSettings.push(...conf);
  const empty = !facts.app && !facts.appSettings.length && !facts.moduleSettings.length && !facts.configFrom.length && !facts.djangoSettingsModule;
  return empty ? undefined : facts;
}
