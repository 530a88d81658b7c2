#!/usr/bin/env node
// Why analyzing a large tree's passing files costs a run several times what the same files cost warm: the JIT's
// warm-up. In a fresh process (cold, like the CLI) the files of static-scale's tree that pass the prefilter — read as
// scanSources reads them — are analyzed by their language's analyzer three times over, in chunks of 40 files; each
// chunk's time is printed (median of the runs), so the curve shows how many files a run analyzes before the analyzers
// reach their warm speed, and what the first pass costs above a warm one. Not part of `npm run bench`: a diagnostic
// for issue 32 (BENCHMARKS.md, "Eighth round"). dist/ is loaded as ES modules without the bundle's code cache, so the
// first chunk also pays parsing the analyzers.
//
//   npm run build && node bench/static-warmup.js [--runs N] [--shape sparse|dense|ts]
// The trees are bench/static-scale.js's (run it once first to generate them).
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, STATIC_SCALE_TREES, staticScaleTreeReady } from './lib.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (relative) => path.join(repo, 'dist', relative);
const CHUNK = 40;
const PASSES = 3;

if (process.argv[2] === '--child') {
  // One cold process: read the passing files as the scan does, then time the analysis chunk by chunk.
  const root = process.argv[3];
  const { listSourceFiles } = await import(dist('scan/index.js'));
  const { ModuleIndex } = await import(dist('languages/modules.js'));
  const { confinedFileSystem, nodeFileSystem } = await import(dist('fs.js'));
  const { UnreadableFiles } = await import(dist('model.js'));
  const fs = confinedFileSystem(nodeFileSystem, root);
  const unreadable = new UnreadableFiles();
  const modules = new ModuleIndex(fs, root, unreadable);
  const passing = [];
  for (const file of listSourceFiles({ fs, root, unreadable })) {
    const text = modules.readCandidate(file.relative, file.language, file.listedRegular);
    if (text !== undefined) passing.push({ language: file.language, text });
  }
  const chunks = [];
  for (let pass = 0; pass < PASSES; pass++) {
    for (let from = 0; from < passing.length; from += CHUNK) {
      const started = performance.now();
      for (const { language, text } of passing.slice(from, from + CHUNK)) language.analyze(text);
      chunks.push(performance.now() - started);
    }
  }
  console.log(JSON.stringify({ files: passing.length, chunks }));
  process.exit(0);
}

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const onlyShape = args.includes('--shape') ? args[args.indexOf('--shape') + 1] : undefined;
if (onlyShape !== undefined && !(onlyShape in STATIC_SCALE_TREES)) {
  console.error(`--shape ${onlyShape}: one of ${Object.keys(STATIC_SCALE_TREES).join(', ')}`);
  process.exit(2);
}

for (const [shape, root] of Object.entries(STATIC_SCALE_TREES)) {
  if (onlyShape && shape !== onlyShape) continue;
  if (!staticScaleTreeReady(root)) {
    console.log(`${shape}: no tree at ${root} (run node bench/static-scale.js --shape ${shape} once to generate it)`);
    continue;
  }
  const results = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`${shape}: the analysis process failed\n${child.stderr}`);
    results.push(JSON.parse(child.stdout));
  }
  const { files } = results[0];
  const perPass = Math.ceil(files / CHUNK);
  const chunk = (index) => median(results.map((result) => result.chunks[index]));
  const passTime = (pass) => median(results.map((result) => result.chunks.slice(pass * perPass, (pass + 1) * perPass).reduce((sum, ms) => sum + ms, 0)));
  console.log(`${shape}: ${files} files pass the prefilter; ms per chunk of ${CHUNK} files, median of ${runs} cold processes (load average ${os.loadavg()[0].toFixed(1)})`);
  for (let pass = 0; pass < PASSES; pass++) {
    const line = Array.from({ length: perPass }, (_, index) => chunk(pass * perPass + index).toFixed(0).padStart(4)).join('');
    console.log(`  pass ${pass + 1}: ${line}   (${passTime(pass).toFixed(0)} ms in all)`);
  }
  console.log(`  first pass ${(passTime(0) / passTime(PASSES - 1)).toFixed(1)}× the last: ${(passTime(0) - passTime(PASSES - 1)).toFixed(0)} ms of warm-up`);
}
