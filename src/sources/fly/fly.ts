import type { DeploymentEnvironment, DeploymentService, EnvEntry } from '../../model.js';
import { splitShellWords } from '../../shell-words.js';
import { parseToml, type TomlValue } from './toml.js';

/**
 * A fly.toml as an environment: each `[processes]` entry a service running that command (split into words as
 * flyctl does; no shell), all with the `[env]` variables; without `[processes]`, one service `app` running the
 * image's command. `[experimental] cmd`/`[build]` are not read.
 */
export function readFlyToml(text: string, file: string, name: string): DeploymentEnvironment {
  const document = parseToml(text, file);
  const environment: Record<string, EnvEntry> = {};
  const env = document.entries.get('env')?.value;
  if (env?.kind === 'table') {
    for (const [key, entry] of env.entries) {
      const value = scalarText(entry.value);
      if (value !== undefined) environment[key] = { value, location: entry.location, unsetVariables: [] };
    }
  }
  const services: DeploymentService[] = [];
  const processes = document.entries.get('processes')?.value;
  if (processes?.kind === 'table' && processes.entries.size > 0) {
    for (const [process, entry] of processes.entries) {
      const command = entry.value;
      const argv =
        command.kind === 'array'
          ? command.items.flatMap((item) => (scalarText(item) !== undefined ? [scalarText(item)!] : []))
          : splitShellWords(scalarText(command) ?? '');
      services.push({
        name: process,
        location: entry.location,
        ...(argv.length ? { command: { argv, location: entry.location } } : {}),
        environment: { ...environment },
        profiles: [],
        code: { roots: [''] },
      });
    }
  } else {
    services.push({ name: 'app', location: { file, line: 1 }, environment, profiles: [], code: { roots: [''] } });
  }
  return { name, source: 'fly', files: [file], profiles: [], services };
}

function scalarText(value: TomlValue): string | undefined {
  return value.kind === 'table' || value.kind === 'array' ? undefined : value.value;
}
