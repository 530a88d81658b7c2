import { parseJsonc } from '../../jsonc.js';
import type { ProjectFiles } from '../language.js';

/** A tsconfig.json larger than this is not a hand-written config. */
const MAX_TSCONFIG_BYTES = 1024 * 1024;
const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

const dirOption = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.replace(/^\.\//, '').replace(/\/$/, '') : undefined;

/** `compilerOptions.outDir`/`rootDir` of `<root>/<base>/tsconfig.json`, when the file exists. */
function readCompilerDirs(base: string, project: ProjectFiles): { outDir?: string; rootDir?: string } | undefined {
  const relative = `${base ? `${base}/` : ''}tsconfig.json`;
  const absolute = `${project.root}/${relative}`;
  if (!project.fs.exists(absolute)) return undefined;
  let text: string;
  try {
    text = project.fs.readFile(absolute, MAX_TSCONFIG_BYTES);
  } catch (error) {
    project.unreadable.recordError(relative, error);
    return undefined;
  }
  let config: unknown;
  try {
    config = parseJsonc(text);
  } catch {
    project.unreadable.record(relative, 'not valid JSON');
    return undefined;
  }
  const options = (config as { compilerOptions?: Record<string, unknown> } | null)?.compilerOptions;
  if (typeof options !== 'object' || options === null) return {};
  const outDir = dirOption(options.outDir);
  const rootDir = dirOption(options.rootDir);
  return { ...(outDir ? { outDir } : {}), ...(rootDir ? { rootDir } : {}) };
}

/**
 * `dist/worker.js` → `src/worker.ts`: through tsconfig's outDir/rootDir (rootDir defaults to `src`) under each of
 * the service's code roots, then the usual layouts, then the same stem with a TS extension.
 */
export function typescriptSources(script: string, roots: string[], project: ProjectFiles): string[] {
  const stem = script.replace(/\.[cm]?js$/, '');
  const sources: string[] = [];
  for (const base of roots) {
    const dirs = readCompilerDirs(base, project);
    const outDir = dirs?.outDir;
    const rootDir = dirs?.rootDir ?? 'src';
    if (outDir && stem.startsWith(`${outDir}/`)) {
      const inner = stem.slice(outDir.length + 1);
      for (const ext of TS_EXTENSIONS) sources.push(`${rootDir === '.' ? '' : `${rootDir}/`}${inner}${ext}`);
    }
  }
  const match = /^(?:dist|build|lib|out)\/(.*)$/.exec(stem);
  if (match) for (const ext of TS_EXTENSIONS) sources.push(`src/${match[1]}${ext}`);
  for (const ext of TS_EXTENSIONS) sources.push(`${stem}${ext}`);
  return sources;
}
