import type { FileSystem } from '../../fs.js';
import { kustomizationChain, kustomizeGraph } from './graph.js';

/*
 * What other parts of the doctor may ask of the kustomize source (source.ts is its registry entry; graph.ts and
 * render.ts are its own). `fix` asks which overlays a file takes part in before it edits that file.
 */

/** An overlay (a kustomization no other one references: one environment) and every file its build reads. */
export interface OverlayInputs {
  dir: string;
  files: string[];
}

/** Every overlay of the project with the files its build reads, secretGenerator inputs included; InputError for a bad kustomization. */
export function overlayInputs(fs: FileSystem, root: string): OverlayInputs[] {
  const graph = kustomizeGraph(fs, root);
  return graph.roots.map((dir) => ({
    dir,
    files: kustomizationChain(graph, dir).flatMap((kustomization) => [kustomization.file, ...kustomization.files.map((reference) => reference.file)]),
  }));
}
