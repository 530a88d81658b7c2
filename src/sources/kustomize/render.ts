import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputError } from '../../errors.js';
import type { FileSystem } from '../../fs.js';
import type { DeploymentEnvironment, DeploymentService } from '../../model.js';
import { escapeRegExp } from '../../regexp.js';
import type { Location } from '../../types.js';
import { readDeploymentFile } from '../files.js';
import { manifestEnvironment, parseManifests, type ServiceOrigin } from '../kubernetes/manifests.js';
import { kustomizationChain, type Kustomization, type KustomizeGraph } from './graph.js';

/** `kubectl kustomize` gets this long; a real overlay renders in well under a second. */
const RENDER_TIMEOUT_MS = 60_000;
/** Rendered output above this is refused (real overlays render to KiBs). */
const MAX_RENDERED_BYTES = 32 * 1024 * 1024;

/** Control characters (from kubectl's stderr) never reach the terminal. */
const printable = (text: string) => text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');

/**
 * Renders an overlay with the real engine (`kubectl kustomize`, which ships kustomize) and reads the output as
 * manifests. The renderer sees a private copy of just the files the kustomizations name, read through the injected
 * FileSystem with its caps (so in-memory projects render too, and nothing outside the project is reachable);
 * secretGenerator inputs are copied as empty files, so no secret is ever read. Positions are mapped back to the
 * file and line that set each value (the overlay's patches first, then its bases), else to the kustomization file.
 */
export async function renderOverlay(fs: FileSystem, root: string, graph: KustomizeGraph, dir: string, name: string): Promise<DeploymentEnvironment> {
  const chain = kustomizationChain(graph, dir);
  const overlay = chain[0];
  if (!overlay) throw new InputError(`${dir}: no kustomization.yaml in this directory`);
  const texts = new Map<string, string>();
  const workDir = mkdtempSync(path.join(tmpdir(), 'receipts-doctor-kustomize-'));
  try {
    for (const kustomization of chain) {
      const files: { file: string; text: string }[] = [{ file: kustomization.file, text: readDeploymentFile(fs, root, kustomization.file, 'kustomization') }];
      for (const reference of kustomization.files) {
        // A secretGenerator input is never read: the renderer gets an empty file in its place.
        if (reference.role === 'secret') files.push({ file: reference.file, text: '' });
        else {
          const text = texts.get(reference.file) ?? readDeploymentFile(fs, root, reference.file, 'file named by the kustomization', reference.at);
          texts.set(reference.file, text);
          files.push({ file: reference.file, text });
        }
      }
      texts.set(kustomization.file, files[0]!.text);
      for (const { file, text } of files) {
        const target = path.join(workDir, file);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, text, { mode: 0o600 });
      }
    }
    const rendered = await kubectlKustomize(path.join(workDir, dir), overlay.file, workDir);
    const { environment, origins } = manifestEnvironment(name, 'kustomize', [], parseManifests(rendered, overlay.file));
    const search = new ValueSearch(chain, texts);
    for (const service of environment.services) mapBack(service, origins.get(service)!, search, overlay.file);
    environment.files = [...new Set(chain.flatMap((kustomization) => [kustomization.file, ...kustomization.files.filter((ref) => ref.role !== 'secret').map((ref) => ref.file)]))];
    return environment;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function kubectlKustomize(dir: string, kustomizationFile: string, workDir: string): Promise<string> {
  const { execa } = await import('execa');
  const result = await execa('kubectl', ['kustomize', dir], {
      reject: false,
      timeout: RENDER_TIMEOUT_MS,
      maxBuffer: MAX_RENDERED_BYTES,
      stdin: 'ignore',
      // No kubeconfig or cluster is involved: `kubectl kustomize` only renders files.
      env: { KUBECONFIG: '/dev/null' },
  });
  if (result.exitCode === undefined && !result.timedOut && !result.isMaxBuffer) {
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new InputError(
        'rendering a kustomize overlay needs kubectl (`kubectl kustomize`), which is not on PATH: install kubectl, or render the overlay yourself and pass --source kubernetes=FILE',
        { file: kustomizationFile, line: 1 },
      );
    }
    throw new InputError(`cannot run kubectl to render this kustomize overlay: ${printable(String(result.shortMessage ?? result.message ?? '')).split('\n')[0]}`, { file: kustomizationFile, line: 1 });
  }
  if (result.timedOut) throw new InputError(`kubectl kustomize did not finish within ${RENDER_TIMEOUT_MS / 1000} s`, { file: kustomizationFile, line: 1 });
  if (result.isMaxBuffer) throw new InputError(`kubectl kustomize rendered more than ${MAX_RENDERED_BYTES / 1024 / 1024} MiB`, { file: kustomizationFile, line: 1 });
  if (result.exitCode !== 0) {
    const stderr = printable(String(result.stderr ?? '')).split(`${workDir}/`).join('').split(workDir).join('.');
    const reason = kubectlReason(stderr) ?? `exit code ${result.exitCode}`;
    throw new InputError(`kubectl kustomize failed: ${reason.slice(0, 500)}`, { file: kustomizationFile, line: 1 });
  }
  return String(result.stdout ?? '');
}

/**
 * The reason in kubectl's stderr: `error: REASON`, or a klog block (`E1207 … "command failed" err=<` … `>`) whose
 * first line says what failed and whose last says why (`…HelmChartInflationGenerator with config: \`` …
 * `\`: must specify --enable-helm`): both are kept, the config quoted between them is not.
 */
export function kubectlReason(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const first = lines[0];
  if (first === undefined) return undefined;
  if (!/^[EFW]\d{4} .*\berr=<$/.test(first)) return first.replace(/^error:\s*/, '');
  const end = lines.indexOf('>', 1);
  const block = lines.slice(1, end === -1 ? undefined : end);
  const what = block[0]?.replace(/:?\s*`$/, '');
  const why = block.length > 1 ? block.at(-1)!.replace(/^`?:?\s*/, '') : undefined;
  if (!what) return first;
  return why ? `${what}: ${why}` : what;
}

/** Lines of the overlay's files, in the order a value is looked for: the overlay's patches, its files, then its bases. */
class ValueSearch {
  readonly files: { file: string; lines: string[]; text: string }[] = [];
  readonly patches = new Set<string>();

  constructor(chain: Kustomization[], texts: Map<string, string>) {
    const order: string[] = [];
    for (const kustomization of chain) {
      const refs = kustomization.files.filter((ref) => ref.role !== 'secret');
      for (const ref of refs) if (ref.role === 'patch') this.patches.add(ref.file);
      order.push(...refs.filter((ref) => ref.role === 'patch').map((ref) => ref.file), kustomization.file, ...refs.filter((ref) => ref.role !== 'patch').map((ref) => ref.file));
    }
    for (const file of new Set(order)) {
      const text = texts.get(file);
      if (text !== undefined) this.files.push({ file, text, lines: text.split('\n') });
    }
  }

  /** The first line (file order, then line order) for which `test` holds. */
  find(
    test: (line: string, index: number, lines: string[]) => boolean,
    fileTest: (text: string) => boolean = () => true,
    { patches = true } = {},
  ): Location | undefined {
    for (const { file, lines, text } of this.files) {
      if (!fileTest(text) || (!patches && this.patches.has(file))) continue;
      const index = lines.findIndex(test);
      if (index !== -1) return { file, line: index + 1 };
    }
    return undefined;
  }
}

/** A YAML scalar as written: plain, single- or double-quoted. */
const scalarPattern = (value: string) => `(?:${escapeRegExp(value)}|"${escapeRegExp(value)}"|'${escapeRegExp(value)}')`;

/** Points the service, its command and its env entries at the lines of the overlay or its bases that set them. */
function mapBack(service: DeploymentService, origin: ServiceOrigin, search: ValueSearch, fallbackFile: string): void {
  const fallback: Location = { file: fallbackFile, line: 1 };
  const namePattern = new RegExp(`^\\s*name:\\s*["']?([A-Za-z0-9._-]+)["']?\\s*$`);
  const kindPattern = new RegExp(`^kind:\\s*["']?${escapeRegExp(origin.kind)}["']?\\s*$`, 'm');
  // The workload's `metadata.name` where it is declared (a resource before a patch that names it); a
  // namePrefix/nameSuffix makes the rendered name longer than the written one.
  const exact = (line: string) => namePattern.exec(line)?.[1] === origin.workload;
  const partial = (line: string) => {
    const written = namePattern.exec(line)?.[1];
    return written !== undefined && written.length > 2 && origin.workload.includes(written);
  };
  const ofKind = (text: string) => kindPattern.test(text);
  service.location =
    search.find(exact, ofKind, { patches: false }) ??
    search.find(partial, ofKind, { patches: false }) ??
    search.find(exact, ofKind) ??
    search.find(partial, ofKind) ??
    fallback;
  if (service.command) {
    const words = origin.rawArgv.filter((word) => word.trim() !== '');
    const last = words[words.length - 1];
    let location: Location | undefined;
    if (last !== undefined) {
      const item = new RegExp(`(?:^\\s*-\\s*${scalarPattern(last)}\\s*(?:#.*)?$)|(?:[\\[,]\\s*${scalarPattern(last)}\\s*[,\\]])`);
      const hasAll = (text: string) => words.every((word) => text.includes(word));
      const found = search.find((line) => item.test(line), hasAll) ?? search.find((line) => item.test(line));
      if (found) location = commandKeyAbove(search, found) ?? found;
    }
    service.command.location = location ?? fallback;
  }
  for (const [variable, entry] of Object.entries(service.environment)) {
    const mapKey = origin.configMapKeys.get(variable)?.key ?? variable;
    let location: Location | undefined;
    if (entry.value !== null && entry.value !== '') {
      const value = entry.value;
      const nameLine = new RegExp(`(?:^|[\\s{,-])name:\\s*${scalarPattern(variable)}\\s*(?:[,}]|$)`);
      const valueLine = new RegExp(`value:\\s*${scalarPattern(value)}\\s*(?:[,}#]|$)`);
      location = search.find((line, index, lines) => {
        if (!nameLine.test(line)) return false;
        return lines.slice(index, index + 4).some((next) => valueLine.test(next));
      });
      if (location) {
        const { lines } = search.files.find((file) => file.file === location!.file)!;
        const offset = lines.slice(location.line - 1, location.line + 3).findIndex((next) => valueLine.test(next));
        location = { file: location.file, line: location.line + offset };
      }
      // A ConfigMap's data key, a configMapGenerator literal (`KEY=value`) or an env file line.
      location ??= search.find((line) => new RegExp(`^\\s*-?\\s*["']?${escapeRegExp(mapKey)}["']?\\s*[:=]\\s*${scalarPattern(value)}\\s*$`).test(line));
    }
    location ??= search.find((line) => new RegExp(`(?:^|[\\s{,-])name:\\s*${scalarPattern(variable)}\\s*(?:[,}]|$)`).test(line));
    entry.location = location ?? fallback;
  }
}

/** The `args:`/`command:` key a list item belongs to (a few lines up, or the same line for a flow list). */
function commandKeyAbove(search: ValueSearch, item: Location): Location | undefined {
  const { lines } = search.files.find((file) => file.file === item.file)!;
  for (let index = item.line - 1; index >= 0 && index >= item.line - 40; index--) {
    const line = lines[index]!;
    if (/^\s*-?\s*(?:args|command)\s*:/.test(line)) return { file: item.file, line: index + 1 };
    if (index < item.line - 1 && !/^\s*(?:-|#|$)/.test(line)) return undefined;
  }
  return undefined;
}
