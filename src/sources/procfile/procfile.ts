import type { DeploymentEnvironment, DeploymentService } from '../../model.js';

/** A process type line as Heroku, foreman and honcho read it: `name: command`. */
const PROCESS_LINE = /^([A-Za-z0-9_-]+):[ \t]*(\S.*?)[ \t]*$/;

/**
 * One Procfile as an environment: each `name: command` line a service. The command runs under a shell (foreman
 * and honcho run `sh -c`), so it is kept whole behind `sh -c` and worker detection unwraps it. Lines that are not
 * process types (comments, blanks) are skipped, as those tools do.
 */
export function readProcfile(text: string, file: string, name: string): DeploymentEnvironment {
  const services: DeploymentService[] = [];
  const seen = new Set<string>();
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    const match = PROCESS_LINE.exec(raw.replace(/\r$/, ''));
    if (!match || raw.trimStart().startsWith('#')) continue;
    const [, process, command] = match as unknown as [string, string, string];
    // A later line of the same name replaces an earlier one (foreman and honcho keep the last).
    if (seen.has(process)) services.splice(services.findIndex((service) => service.name === process), 1);
    seen.add(process);
    const location = { file, line, column: raw.indexOf(command, process.length + 1) + 1 };
    services.push({
      name: process,
      location: { file, line, column: 1 },
      command: { argv: ['sh', '-c', command], location },
      environment: {},
      profiles: [],
      code: { roots: [''] },
    });
  }
  return { name, source: 'procfile', files: [file], profiles: [], services };
}
