/**
 * Property-based tests of the compose layer (src/compose) against its real exported functions:
 * interpolation (`substitute`) checked against a reference evaluator on random nested templates, `$$`
 * round-trips, merge laws through `loadComposeProject` (empty override is identity, list and map forms of
 * `environment` merge identically, later files win by key), `.env` parsing, and queue lists from compose
 * through worker detection. Seeds are fixed; fast-check prints the seed and a shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDotenv, type DotenvEntry } from '../../src/sources/compose/dotenv.js';
import { composeService } from '../../src/sources/compose/adapter.js';
import { loadComposeProject } from '../../src/sources/compose/index.js';
import { InvalidTemplateError, MissingRequiredError, substitute } from '../../src/sources/compose/template.js';
import { InputError } from '../../src/errors.js';
import { memoryFileSystem } from '../../src/fs.js';
import { detectWorker } from '../../src/workers/index.js';

const settings = (seed: number, numRuns = 200): fc.Parameters<unknown> => ({ seed, numRuns, verbose: 1 });

// ---------------------------------------------------------------------------------------------------------
// Interpolation
// ---------------------------------------------------------------------------------------------------------

const NAMES = ['A', 'B', 'C_1', 'lower', 'EMPTY', 'UNSET', 'Q'];
type Operator = ':-' | '-' | ':+' | '+' | ':?' | '?';

/** A template as a tree, rendered to compose syntax and evaluated by the reference below. */
type Part =
  | { kind: 'text'; text: string }
  | { kind: 'dollar' }
  | { kind: 'plain'; name: string }
  | { kind: 'braced'; name: string }
  | { kind: 'op'; name: string; operator: Operator; inner: Part[] };

// Literal text never touches the template syntax: no `$`, braces or variable-name characters right after `$NAME`.
const text = fc.stringMatching(/^[ ,./=@#%^&*()!~\]\[;-]{1,6}$/).map((value): Part => ({ kind: 'text', text: value }));
const name = fc.constantFrom(...NAMES);

const partArbitrary: fc.Arbitrary<Part[]> = fc.letrec<{ parts: Part[]; part: Part }>((tie) => ({
  parts: fc.array(tie('part'), { maxLength: 4 }),
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.constant<Part>({ kind: 'dollar' }),
    name.map((n): Part => ({ kind: 'plain', name: n })),
    name.map((n): Part => ({ kind: 'braced', name: n })),
    fc
      .record({ name, operator: fc.constantFrom<Operator>(':-', '-', ':+', '+', ':?', '?'), inner: tie('parts') })
      .map((value): Part => ({ kind: 'op', ...value })),
  ),
})).parts;

/** Renders parts; a plain `$NAME` followed by text is safe because text never starts with a name character. */
function render(parts: Part[]): string {
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'dollar':
          return '$$';
        case 'plain':
          return `$${part.name}`;
        case 'braced':
          return `\${${part.name}}`;
        case 'op':
          return `\${${part.name}${part.operator}${render(part.inner)}}`;
      }
    })
    .join('');
}

class Required extends Error {}

/** The reference semantics of compose interpolation (compose-spec, "Interpolation"). */
function evaluate(parts: Part[], variables: Record<string, string>, unset: Set<string>): string {
  const get = (key: string) => (Object.hasOwn(variables, key) ? variables[key] : undefined);
  return parts
    .map((part) => {
      switch (part.kind) {
        case 'text':
          return part.text;
        case 'dollar':
          return '$';
        case 'plain':
        case 'braced': {
          const value = get(part.name);
          if (value === undefined) unset.add(part.name);
          return value ?? '';
        }
        case 'op': {
          const value = get(part.name);
          const present = value !== undefined;
          const nonEmpty = present && value !== '';
          switch (part.operator) {
            case ':-':
              return nonEmpty ? value! : evaluate(part.inner, variables, unset);
            case '-':
              return present ? value! : evaluate(part.inner, variables, unset);
            case ':+':
              return nonEmpty ? evaluate(part.inner, variables, unset) : (value ?? '');
            case '+':
              return present ? evaluate(part.inner, variables, unset) : '';
            case ':?':
              if (!nonEmpty) throw new Required(part.name);
              return value!;
            case '?':
              if (!present) throw new Required(part.name);
              return value!;
          }
        }
      }
    })
    .join('');
}

const variablesArbitrary = fc.record(
  { A: fc.constantFrom('a', 'x y', 'high,default'), B: fc.constantFrom('', 'b'), C_1: fc.constant('c'), lower: fc.constant('l'), EMPTY: fc.constant(''), Q: fc.constantFrom('q', '') },
  { requiredKeys: ['EMPTY'] },
);

describe('interpolation (substitute)', () => {
  it('agrees with the reference semantics on random nested templates', () => {
    fc.assert(
      fc.property(partArbitrary, variablesArbitrary, (parts, variables) => {
        const template = render(parts);
        const lookup = (key: string) => (Object.hasOwn(variables, key) ? (variables as Record<string, string>)[key] : undefined);
        const unset = new Set<string>();
        let expected: string | Required;
        try {
          expected = evaluate(parts, variables as Record<string, string>, unset);
        } catch (error) {
          if (!(error instanceof Required)) throw error;
          expected = error;
        }
        if (expected instanceof Required) {
          expect(() => substitute(template, lookup), template).toThrow(MissingRequiredError);
        } else {
          const result = substitute(template, lookup);
          expect(result.value, template).toBe(expected);
          expect(new Set(result.unset), template).toEqual(unset);
        }
      }),
      settings(201, 1000),
    );
  });

  it('leaves text without `$` untouched', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }).filter((value) => !value.includes('$')), (value) => {
        expect(substitute(value, () => 'X')).toEqual({ value, unset: [] });
      }),
      settings(202, 300),
    );
  });

  it('`$$` round-trips any literal: escaping every `$` gives the text back', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80, unit: fc.constantFrom('$', '{', '}', 'A', ':', '-', '?', '+', ' ', 'x', '\\') }), (value) => {
        expect(substitute(value.replaceAll('$', () => '$$'), () => 'SET').value).toBe(value);
      }),
      settings(203, 500),
    );
  });

  it('throws only its own errors on arbitrary text (and never hangs on deep nesting)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120, unit: fc.constantFrom('$', '{', '}', 'A', ':', '-', '?', '+', '_', '1', ' ') }), (value) => {
        try {
          substitute(value, (key) => (key === 'A' ? 'a' : undefined));
        } catch (error) {
          expect(error instanceof MissingRequiredError || error instanceof InvalidTemplateError, String(error)).toBe(true);
        }
      }),
      settings(204, 1000),
    );
    const deep = `${'${A:-'.repeat(5000)}x${'}'.repeat(5000)}`;
    try {
      substitute(deep, () => undefined);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTemplateError);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Merge, through the loader
// ---------------------------------------------------------------------------------------------------------

const envKey = fc.constantFrom('RQ_QUEUES', 'A', 'B', 'LOG_LEVEL', 'X_1');
/** Values without `$` (interpolation is tested above) and without leading/trailing spaces YAML would trim. */
const envValue = fc.oneof(fc.constant(null), fc.stringMatching(/^[a-z0-9,=:#-]([a-z0-9 ,=:#-]{0,10}[a-z0-9,=:#-])?$/), fc.constant(''));
const envMap = fc.dictionary(envKey, envValue, { maxKeys: 5 });
type EnvMap = Record<string, string | null>;

function environmentYaml(env: EnvMap, form: 'map' | 'list'): string {
  const entries = Object.entries(env);
  if (entries.length === 0) return '';
  if (form === 'map') {
    return `    environment:\n${entries.map(([key, value]) => `      ${key}:${value === null ? '' : ` ${JSON.stringify(value)}`}\n`).join('')}`;
  }
  return `    environment:\n${entries.map(([key, value]) => `      - ${JSON.stringify(value === null ? key : `${key}=${value}`)}\n`).join('')}`;
}

function serviceYaml(env: EnvMap, form: 'map' | 'list', extra = ''): string {
  return `services:\n  worker:\n    image: app\n${extra}${environmentYaml(env, form)}`;
}

/** Loads `files` as one explicit environment `x` (in order) and returns the worker's service model. */
function loadWorker(files: Record<string, string>, order: string[]) {
  const fs = memoryFileSystem(Object.fromEntries(Object.entries(files).map(([file, content]) => [`/p/${file}`, content])));
  const project = loadComposeProject({ fs, root: '/p', environments: [{ name: 'x', files: order }] });
  return project.environments[0]!.services.worker!;
}

const values = (service: ReturnType<typeof loadWorker>) =>
  Object.fromEntries(Object.entries(service.environment).map(([key, entry]) => [key, entry.value]));

describe('merge (loadComposeProject)', () => {
  it('merging with an empty override is the identity', () => {
    fc.assert(
      fc.property(envMap, fc.constantFrom<'map' | 'list'>('map', 'list'), fc.constantFrom('services: {}\n', 'services:\n  worker: {}\n', '{}\n'), (env, form, empty) => {
        const alone = loadWorker({ 'a.yml': serviceYaml(env, form, '    command: rq worker high\n') }, ['a.yml']);
        const merged = loadWorker({ 'a.yml': serviceYaml(env, form, '    command: rq worker high\n'), 'b.yml': empty }, ['a.yml', 'b.yml']);
        const strip = ({ location: _location, environment, ...rest }: typeof alone) => ({
          ...rest,
          environment: Object.fromEntries(Object.entries(environment).map(([key, { location: _l, ...entry }]) => [key, entry])),
        });
        expect(strip(merged)).toEqual(strip(alone));
      }),
      settings(211, 150),
    );
  });

  it('list- and map-form environments merge identically, later file winning by key', () => {
    fc.assert(
      fc.property(envMap, envMap, fc.constantFrom<'map' | 'list'>('map', 'list'), fc.constantFrom<'map' | 'list'>('map', 'list'), (base, override, baseForm, overrideForm) => {
        const merged = loadWorker({ 'a.yml': serviceYaml(base, baseForm), 'b.yml': serviceYaml(override, overrideForm) }, ['a.yml', 'b.yml']);
        expect(values(merged)).toEqual({ ...base, ...override });
        const sameForms = loadWorker({ 'a.yml': serviceYaml(base, 'map'), 'b.yml': serviceYaml(override, 'map') }, ['a.yml', 'b.yml']);
        expect(values(merged)).toEqual(values(sameForms));
      }),
      settings(212, 200),
    );
  });

  it('later files win by key over any number of files; command and image are replaced, not merged', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ env: envMap, form: fc.constantFrom<'map' | 'list'>('map', 'list'), queues: fc.array(fc.constantFrom('high', 'default', 'low'), { minLength: 1, maxLength: 3 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        (layers) => {
          const files: Record<string, string> = {};
          layers.forEach((layer, index) => {
            files[`f${index}.yml`] = `services:\n  worker:\n    image: app:${index}\n    command: rq worker ${layer.queues.join(' ')}\n${environmentYaml(layer.env, layer.form)}`;
          });
          const service = loadWorker(files, Object.keys(files));
          expect(values(service)).toEqual(Object.assign({}, ...layers.map((layer) => layer.env)));
          expect(service.image).toBe(`app:${layers.length - 1}`);
          const command = service.command!.value;
          const words = Array.isArray(command) ? command : command.split(' ');
          expect(words).toEqual(['rq', 'worker', ...layers.at(-1)!.queues]);
          // The environment entry is located in the file that set it last.
          for (const [key, entry] of Object.entries(service.environment)) {
            const last = layers.map((layer, index) => (Object.hasOwn(layer.env, key) ? index : -1)).reduce((a, b) => Math.max(a, b));
            expect(entry.location.file).toBe(`f${last}.yml`);
          }
        },
      ),
      settings(213, 150),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// .env files and queue lists
// ---------------------------------------------------------------------------------------------------------

describe('.env parsing (parseDotenv)', () => {
  const dotenvValue = fc.stringMatching(/^[A-Za-z0-9 ,.:@\/=_-]{0,20}$/);

  it('single-quoted values round-trip literally; later keys win', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('A', 'B', 'RQ_QUEUES', 'x_1'), dotenvValue), { maxLength: 8 }), (pairs) => {
        const out = new Map<string, DotenvEntry>();
        parseDotenv(pairs.map(([key, value]) => `${key}='${value}'`).join('\n'), out);
        const expected = Object.fromEntries(pairs);
        expect(Object.fromEntries([...out].map(([key, entry]) => [key, entry.value]))).toEqual(expected);
      }),
      settings(221, 300),
    );
  });

  it('throws only DotenvError or an interpolation error (the loader turns each into an InputError) on arbitrary text', async () => {
    const { DotenvError } = await import('../../src/sources/compose/dotenv.js');
    fc.assert(
      fc.property(fc.string({ maxLength: 120, unit: fc.constantFrom('A', '=', '"', "'", '\\', '$', '{', '}', '#', ' ', '\n', '\r', 'export ', ':', '`', '\0') }), (value) => {
        try {
          parseDotenv(value, new Map());
        } catch (error) {
          const known = error instanceof DotenvError || error instanceof MissingRequiredError || error instanceof InvalidTemplateError;
          expect(known, String(error)).toBe(true);
        }
      }),
      settings(222, 1000),
    );
  });
});

describe('queue lists from compose to worker detection', () => {
  const queue = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,9}$/);
  const separator = fc.constantFrom(',', ' ', ', ', ' ,', ',,');

  it('RQ_QUEUES in either environment form gives exactly the listed queues, in order', () => {
    fc.assert(
      fc.property(fc.array(queue, { minLength: 1, maxLength: 6 }), separator, fc.constantFrom<'map' | 'list'>('map', 'list'), (queues, sep, form) => {
        const service = loadWorker({ 'a.yml': serviceYaml({ RQ_QUEUES: queues.join(sep) }, form, '    command: python -m app.worker\n') }, ['a.yml']);
        const detection = detectWorker(composeService(service, []), { fs: memoryFileSystem({}), root: '/p', queueVariables: ['RQ_QUEUES'] });
        expect(detection?.queues).toEqual(queues);
      }),
      settings(231, 150),
    );
  });

  it('`rq worker <queues…>` gives exactly the listed queues; none means `default`', () => {
    fc.assert(
      fc.property(fc.array(queue.filter((name) => !name.startsWith('-')), { maxLength: 6 }), fc.boolean(), (queues, execForm) => {
        const command = execForm
          ? `    command: ${JSON.stringify(['rq', 'worker', '--url', 'redis://redis:6379', ...queues])}\n`
          : `    command: rq worker --url redis://redis:6379 ${queues.join(' ')}\n`;
        const service = loadWorker({ 'a.yml': `services:\n  worker:\n    image: app\n${command}` }, ['a.yml']);
        const detection = detectWorker(composeService(service, []), { fs: memoryFileSystem({}), root: '/p', queueVariables: ['RQ_QUEUES'] });
        expect(detection?.queues).toEqual(queues.length ? queues : ['default']);
      }),
      settings(232, 150),
    );
  });
});

describe('the loader on arbitrary YAML-ish text throws only InputError', () => {
  it('random documents built from YAML and compose syntax', () => {
    const unit = fc.constantFrom(
      'services:', '\n', '  ', 'worker:', 'image: a', 'command: rq worker', 'environment:', '- ', 'RQ_QUEUES: a,b', '&x ', '*x',
      '<<: *x', '!reset ', '!override ', '{', '}', '[', ']', ',', ': ', '"', "'", '${Q:-d}', '$$', 'extends: worker', 'profiles: [p]',
      'deploy: {replicas: 0}', 'env_file: .env', 'include: [a.yml]', '#', '---\n', '? ', '|\n', '>-\n', '~', 'null', '0x1F', '.inf',
    );
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 60 }), (units) => {
        const fs = memoryFileSystem({ '/p/docker-compose.yml': units.join(''), '/p/a.yml': 'services: {}\n', '/p/.env': 'Q=x\n' });
        try {
          loadComposeProject({ fs, root: '/p' });
        } catch (error) {
          expect(error, (error as Error).stack).toBeInstanceOf(InputError);
        }
      }),
      settings(241, 800),
    );
  });
});
