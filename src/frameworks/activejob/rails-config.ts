import { tokenizeRuby, type RbToken } from '../../languages/ruby/tokenizer.js';
import type { Location, Producer } from '../../types.js';
import type { FrameworkProjectStep } from '../framework.js';
import { ACTIVEJOB_DEFAULT_QUEUE, MAILER_DEFAULT_QUEUE } from './ruby.js';

/**
 * The environment whose configuration the static stage reads (config/environments/<env>.rb over
 * config/application.rb) when the deployment does not name one: the one a deploy gate is about.
 */
export const RAILS_ENVIRONMENT = 'production';

/** An environment name that is a file name under config/environments/ (never a path). */
const ENVIRONMENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The Rails environment the deployment runs: `Rails.env` is RAILS_ENV, else RACK_ENV (railties' Rails.env), as the
 * deployment's services set it when they agree on one value; production when they set neither, disagree (one value
 * per deployment environment: producers are read once per project), or name something that is not a file name.
 */
export function deployedRailsEnvironment(deployedValue: (variable: string) => string | null | undefined): string {
  const rails = deployedValue('RAILS_ENV');
  const chosen = rails === undefined ? deployedValue('RACK_ENV') : rails;
  return typeof chosen === 'string' && ENVIRONMENT_NAME.test(chosen) ? chosen : RAILS_ENVIRONMENT;
}

/** A setting as the configuration gives it: a string, nil, or something not known statically (null). */
type Setting = { value: string | null | undefined; location: Location };

/** What the Rails configuration says about ActiveJob and ActionMailer's queues. */
export interface RailsQueueConfig {
  /** `config.active_job.queue_adapter` (Rails' default `:async` when unset: activejob/lib/active_job/railtie.rb). */
  adapter: string | undefined;
  adapterAt?: Location;
  /** `queue_name_prefix`: undefined when unset, null when not known statically. */
  prefix: string | null | undefined;
  delimiter: string | null;
  defaultQueue: string | null;
  /** `deliver_later_queue_name` after `load_defaults` and the explicit setting: a name, or undefined for nil (→ the default queue). */
  mailerQueue: string | null | undefined;
  /** Why the mailer queue is what it is (for the report's `routedBy`-like wording in docs). */
  mailerQueueFrom: string;
}

/** `config.<section>.<name> = value` and `config.load_defaults x` in one file. */
function settingsOf(file: string, text: string, environment: string): Map<string, Setting> {
  const settings = new Map<string, Setting>();
  let tokens: RbToken[];
  try {
    tokens = tokenizeRuby(text);
  } catch {
    return settings;
  }
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (tokens[i]!.value !== 'config' || tokens[i - 1]?.value === '.' || tokens[i + 1]?.value !== '.') continue;
    const location = { file, line: tokens[i]!.line, column: tokens[i]!.column };
    if (tokens[i + 2]!.value === 'load_defaults') {
      const value = tokens[i + 3];
      const open = value?.value === '(';
      const version = open ? tokens[i + 4] : value;
      if (version && (version.type === 'number' || (version.type === 'string' && !version.interpolated))) settings.set('load_defaults', { value: version.value, location });
      continue;
    }
    if (tokens[i + 3]?.value !== '.' || tokens[i + 5]?.value !== '=') continue;
    const key = `${tokens[i + 2]!.value}.${tokens[i + 4]!.value}`;
    settings.set(key, { value: settingValue(tokens[i + 6], environment), location });
  }
  return settings;
}

/** A string or symbol, `nil`, or a string interpolating only `Rails.env`; null when not known statically. */
function settingValue(token: RbToken | undefined, environment: string): string | null | undefined {
  if (!token) return null;
  if (token.type === 'name' && token.value === 'nil') return undefined;
  if (token.type !== 'string' && token.type !== 'symbol') return null;
  if (!token.interpolated) return token.value;
  const replaced = token.value.replace(/#\{\s*Rails\.env\s*\}/g, environment);
  return replaced.includes('#{') ? null : replaced;
}

/** `rails (6.1.7)` / `railties (7.0.4)` in Gemfile.lock: the major.minor in use. */
function railsVersion(lock: string | undefined): number | undefined {
  const match = lock ? /^ {4}(?:rails|railties) \((\d+)\.(\d+)/m.exec(lock) : null;
  return match ? Number(match[1]) + Number(match[2]) / 10 : undefined;
}

/**
 * Reads config/application.rb and config/environments/<environment>.rb (which wins). `deliver_later_queue_name`:
 * ActionMailer's default is `:mailers` (actionmailer/lib/action_mailer/delivery_methods.rb), and
 * `config.load_defaults "6.1"` or later sets it to nil (railties/lib/rails/application/configuration.rb, the "6.1"
 * branch), which makes the delivery job use ActiveJob's default queue (`queue_name_from_part(nil)`).
 */
export function readRailsQueueConfig(read: (relative: string) => string | undefined, environment = RAILS_ENVIRONMENT): RailsQueueConfig | undefined {
  const application = read('config/application.rb');
  if (application === undefined) return undefined;
  const settings = settingsOf('config/application.rb', application, environment);
  const own = `config/environments/${environment}.rb`;
  const environmentText = read(own);
  if (environmentText !== undefined) for (const [key, value] of settingsOf(own, environmentText, environment)) settings.set(key, value);
  const adapter = settings.get('active_job.queue_adapter');
  const version = railsVersion(read('Gemfile.lock'));
  const defaults = settings.get('load_defaults')?.value;
  const loadsDefaults61 = defaults !== undefined && defaults !== null && Number(defaults) >= 6.1 && (version === undefined || version >= 6.1);
  const explicit = settings.get('action_mailer.deliver_later_queue_name');
  const config: RailsQueueConfig = {
    adapter: adapter ? (adapter.value ?? undefined) : 'async',
    prefix: settings.has('active_job.queue_name_prefix') ? settings.get('active_job.queue_name_prefix')!.value : undefined,
    delimiter: settings.has('active_job.queue_name_delimiter') ? (settings.get('active_job.queue_name_delimiter')!.value ?? null) : '_',
    defaultQueue: settings.has('active_job.default_queue_name') ? (settings.get('active_job.default_queue_name')!.value ?? null) : 'default',
    mailerQueue: explicit ? explicit.value : loadsDefaults61 ? undefined : 'mailers',
    mailerQueueFrom: explicit
      ? `config.action_mailer.deliver_later_queue_name in ${explicit.location.file}`
      : loadsDefaults61
        ? `config.load_defaults ${defaults} (deliver_later_queue_name nil: the default queue)`
        : "ActionMailer's default deliver_later_queue_name (:mailers)",
  };
  if (adapter) config.adapterAt = adapter.location;
  return config;
}

/** `ActiveJob::QueueName.queue_name_from_part`: the default queue for nil, the prefix (when present) and delimiter. */
function queueNameFromPart(part: string | null | undefined, config: RailsQueueConfig): string | null {
  const name = part === undefined ? config.defaultQueue : part;
  if (name === null) return null;
  if (config.prefix === null || (config.prefix && config.delimiter === null)) return null;
  return config.prefix ? `${config.prefix}${config.delimiter}${name}` : name;
}

/**
 * ActiveJob's project step: the Rails configuration completes the Ruby producers. ActiveJob and ActionMailer
 * producers exist only when the adapter is Sidekiq (otherwise the jobs never reach a Sidekiq queue: null drops them),
 * and their names get the default queue, the mailer queue and the prefix ActiveJob gives them. Sidekiq's own
 * producers pass as they are. The configuration is read once, on the first ActiveJob or ActionMailer producer.
 */
export const activejobProject: FrameworkProjectStep = ({ read, deployedValue }) => {
  let config: RailsQueueConfig | undefined | null = null;
  return {
    finishProducer(producer) {
      if (producer.kind !== 'activejob-job' && producer.kind !== 'actionmailer-deliver-later') return producer;
      if (config === null) config = readRailsQueueConfig(read, deployedRailsEnvironment(deployedValue));
      if (!config || config.adapter !== 'sidekiq') return null;
      // A name read from the environment gets the prefix at run time: only an unprefixed app keeps it symbolic.
      if (producer.env) return config.prefix === undefined ? producer : { ...producer, queue: null, expression: 'config.active_job.queue_name_prefix' };
      const part = producer.queue === ACTIVEJOB_DEFAULT_QUEUE ? undefined : producer.queue === MAILER_DEFAULT_QUEUE ? config.mailerQueue : producer.queue;
      if (part === null) return { ...producer, queue: null, expression: producer.queue === MAILER_DEFAULT_QUEUE ? 'config.action_mailer.deliver_later_queue_name' : producer.expression ?? 'queue' };
      const queue = queueNameFromPart(part, config);
      const completed: Producer = { ...producer, queue };
      if (queue === null) completed.expression = config.prefix === null ? 'config.active_job.queue_name_prefix' : 'config.active_job.default_queue_name';
      else if (producer.queue === MAILER_DEFAULT_QUEUE || producer.queue === ACTIVEJOB_DEFAULT_QUEUE) delete completed.expression;
      return completed;
    },
  };
};
