/*
 * What other parts of the doctor may ask of the Kubernetes source (source.ts is its registry entry; manifests.ts
 * and discover.ts are its own). `fix` finds a workload's pod spec where the source reads it.
 */
export { POD_SPEC_PATHS } from './manifests.js';
