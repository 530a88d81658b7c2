import { InputError } from '../errors.js';

/** commander collector for repeatable options; also splits comma lists (`--queue a,b --queue c`). */
export const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value.split(',').map((part) => part.trim()).filter(Boolean),
];

/** commander collector that keeps each value whole (e.g. `--env prod=a.yml,b.yml`). */
export const collectRaw = (value: string, previous: string[] = []) => [...previous, value];

export function parseNumber(flag: string, value: string, { min = 0, integer = false } = {}): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < min || (integer && !Number.isInteger(number))) {
    throw new InputError(`${flag} expects ${integer ? 'an integer' : 'a number'} ≥ ${min}, got \`${value}\`.`);
  }
  return number;
}

/** `NAME=FILE[,FILE…]` → environment spec. */
export function parseEnvSpec(value: string): { name: string; files: string[] } {
  const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(value);
  if (!match) throw new InputError(`--env expects NAME=FILE[,FILE…], got \`${value}\`.`);
  return { name: match[1]!, files: match[2]!.split(',').map((file) => file.trim()).filter(Boolean) };
}

/** `KIND[:ENV]=PATH` → a declared deployment source (`kustomize=deploy/overlays/prod`, `helm:prod=-`). */
export function parseSourceSpec(value: string): { source: string; path: string; environment?: string } {
  const match = /^([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_.-]+))?=(.+)$/.exec(value);
  if (!match) throw new InputError(`--source expects KIND[:ENV]=PATH (e.g. kustomize=deploy/overlays/prod, helm:prod=-), got \`${value}\`.`);
  return { source: match[1]!, path: match[3]!, ...(match[2] ? { environment: match[2] } : {}) };
}

/** `K=V` pairs → record. */
export function parseVars(values: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const value of values) {
    const index = value.indexOf('=');
    if (index <= 0) throw new InputError(`--var expects KEY=VALUE, got \`${value}\`.`);
    vars[value.slice(0, index)] = value.slice(index + 1);
  }
  return vars;
}

export const SEVERITIES = ['error', 'warning', 'info'] as const;

export function parseSeverity(value: string): (typeof SEVERITIES)[number] {
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new InputError(`--fail-on expects one of ${SEVERITIES.join(', ')}, got \`${value}\`.`);
  }
  return value as (typeof SEVERITIES)[number];
}
