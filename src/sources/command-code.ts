import * as path from 'node:path';
import { moduleLanguage } from '../languages/index.js';
import type { DeploymentEnvironment } from '../model.js';

/** Words of one command looked at, and their length: a command is a few dozen words, project text is hostile. */
const MAX_WORDS = 200;
const MAX_WORD = 256;

/**
 * The project paths a command word may name: the word as a path (`manage.py`, `/app/bin/start.sh` with its leading
 * dirs dropped), a WSGI target (`config.wsgi:application`), a dotted Python module or package (`-A shop`,
 * `-m server.worker`) — each only as a source file or a Python package, never a config file such as `redis.conf`.
 */
function candidates(word: string): string[] {
  const value = word.replace(/^--?[A-Za-z][\w-]*=/, '').replace(/^\.\//, '');
  if (!value || value.startsWith('-') || value.length > MAX_WORD) return [];
  const found: string[] = [];
  const parts = path.posix.normalize(value).split('/').filter(Boolean);
  for (let drop = 0; drop < parts.length; drop++) found.push(parts.slice(drop).join('/'));
  const module = value.split(':')[0]!;
  if (/^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*$/.test(module)) {
    const relative = module.split('.').join('/');
    found.push(`${relative}.py`, `${relative}/__init__.py`);
  }
  return found.filter((candidate) => !candidate.split('/').includes('..'));
}

const isCode = (relative: string) => moduleLanguage(relative) !== undefined || relative.endsWith('.sh');

/**
 * A service that builds nothing and mounts nothing of the project (no code roots) may still run the project's code
 * from an image built elsewhere: when its command names a source file or package of the project (`python
 * manage.py rqworker`, `gunicorn app:app`), it gets the project root as its code root. One that names none (an
 * `image: redis:7`, `redis-server --appendonly yes`) runs none of the project's code.
 */
export function withCommandCode(environments: DeploymentEnvironment[], isProjectFile: (relative: string) => boolean): DeploymentEnvironment[] {
  const namesCode = (argv: string[]) =>
    argv
      .flatMap((word) => word.split(/[\s;&|()'"=]+/))
      .slice(0, MAX_WORDS)
      .some((word) => candidates(word).some((candidate) => isCode(candidate) && isProjectFile(candidate)));
  return environments.map((environment) => ({
    ...environment,
    services: environment.services.map((service) =>
      service.code.roots.length === 0 && service.command && namesCode(service.command.argv) ? { ...service, code: { ...service.code, roots: [''] } } : service,
    ),
  }));
}
