import { insertInScalar, nodeAt, scalarSource } from './compose-yaml.js';
import { envFileLinePlace } from './dotenv-line.js';
import { appendToList, isPlainQueueName } from './text.js';
import type { EditContext, QueueEditKind, QueuePlace, Refusal } from './types.js';

/** `${NAME}`, `$NAME`, `${NAME:-default}` or `${NAME-default}` as the whole value (a literal default, no nesting). */
const WHOLE_VARIABLE = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^${}]*))?\})$/;

const cache = {};

/**
 * A queue variable set in a compose `environment` (map form `RQ_QUEUES: a,b` or list form `- RQ_QUEUES=a,b`).
 * A value that is one interpolated variable is decided where that variable is set: its `.env` line, or the default
 * written in the file when it is unset; from the shell or `--var`, the place is outside the project.
 */
export const composeEnvironmentKind: QueueEditKind = {
  id: 'compose-environment',
  locate({ consumer, service, environment }, context) {
    if (environment.source !== 'compose' || consumer.queueSource !== 'environment' || !consumer.variable) return undefined;
    const entry = service.environment[consumer.variable];
    if (!entry || entry.fromEnvFile) return undefined;
    return environmentPlace(context, consumer.variable, entry.location.file, entry.location.line, entry.location.column);
  },
};

function environmentPlace(context: EditContext, variable: string, file: string, line: number, column: number | undefined): QueuePlace | Refusal {
  const text = context.files.text(file);
  if (typeof text !== 'string') return text;
  const located = nodeAt(text, line, column, cache);
  const lost = { refused: `no \`${variable}\` entry found at ${file}:${line}`, decide: `add the queue to ${variable} in ${file} by hand` };
  if (!located) return lost;
  const node = located.pair ? located.pair.value : located.node;
  if (!node) return lost;
  const source = scalarSource(text, node);
  if ('refused' in source) return { refused: `${variable} in ${file}:${line}: ${source.refused}`, decide: source.decide };
  // List form: the value is what follows `KEY=`.
  let valueOffset = 0;
  if (!located.pair) {
    const equals = source.value.indexOf('=');
    if (equals === -1 || source.value.slice(0, equals) !== variable) return lost;
    valueOffset = equals + 1;
  }
  const raw = source.value.slice(valueOffset);
  const whole = WHOLE_VARIABLE.exec(raw);
  if (whole) {
    const name = (whole[1] ?? whole[2])!;
    const operator = whole[3];
    const origin = context.variableOrigin(name);
    const written = `${variable} of this service is \`${raw}\``;
    if (origin?.kind === 'env-file') {
      const place = envFileLinePlace(context, origin.file, origin.line, name, ` (${variable} in ${file}:${line} is \`${raw}\`)`);
      return 'refused' in place ? place : { ...place, variable: name };
    }
    if (origin?.kind === 'var') {
      return { refused: `${written} and \`${name}\` is set with --var`, decide: `add the queue to the --var ${name}=… you pass (or set ${name} in .env)` };
    }
    if (origin?.kind === 'shell') {
      return { refused: `${written} and \`${name}\` comes from the shell environment`, decide: `add the queue to ${name} where you deploy, or set ${name} in .env` };
    }
    if (operator === undefined) {
      return {
        refused: `${written} and \`${name}\` is set nowhere in the project (no .env entry, no default), so the shell decides at deploy time`,
        decide: `set ${name} in .env (or where you deploy) to the queues the worker must consume`,
      };
    }
    // Unset with a literal default: the default written here decides the value.
    const defaultText = whole[4]!;
    const at = valueOffset + raw.length - 1;
    return {
      key: `${file}@${source.sourceIndex(at)}`,
      file,
      where: `the default of \`\${${name}}\` in ${variable} at ${file}:${line}`,
      variable: name,
      add: (queues) => addAt(text, file, node, at, defaultText, queues, located.valueInFlow),
    };
  }
  const at = valueOffset + raw.length;
  return {
    key: `${file}@${source.sourceIndex(at)}`,
    file,
    where: `${variable} in ${file}:${line}`,
    add: (queues) => addAt(text, file, node, at, raw, queues, located.valueInFlow),
  };
}

function addAt(text: string, file: string, node: Parameters<typeof insertInScalar>[2], at: number, list: string, queues: string[], inFlow: boolean) {
  if (!queues.every(isPlainQueueName)) return { refused: 'the queue name needs quoting', decide: `add it to ${file} by hand` };
  return insertInScalar(text, file, node, at, appendToList(list, queues), inFlow);
}
