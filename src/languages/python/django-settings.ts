/**
 * Which module Django's `settings` is: `DJANGO_SETTINGS_MODULE`. The deployment may set it per service (that wins:
 * the entry points only `os.environ.setdefault` it); else the project's entry points say it — `manage.py`,
 * `wsgi.py`, `asgi.py`, `celery.py` — the one nearest the project root first.
 */

const ENTRY_POINTS = ['manage.py', 'wsgi.py', 'asgi.py', 'celery.py'];
/** `'DJANGO_SETTINGS_MODULE', 'config.settings.production'` in a setdefault or an assignment; linear (no nesting). */
const SETTINGS_MODULE = /DJANGO_SETTINGS_MODULE["'][ \t]*[,:=\]][ \t]*["']([A-Za-z_][\w.]{0,200})["']/;

/** The settings module the project's entry points name, or undefined. */
export function djangoSettingsModule(files: readonly string[], read: (file: string) => string | undefined): string | undefined {
  const entryPoints = files
    .filter((file) => ENTRY_POINTS.includes(file.slice(file.lastIndexOf('/') + 1)))
    .sort((a, b) => a.split('/').length - b.split('/').length || ENTRY_POINTS.indexOf(a.slice(a.lastIndexOf('/') + 1)) - ENTRY_POINTS.indexOf(b.slice(b.lastIndexOf('/') + 1)));
  for (const file of entryPoints) {
    const found = SETTINGS_MODULE.exec(read(file) ?? '')?.[1];
    if (found) return found;
  }
  return undefined;
}
