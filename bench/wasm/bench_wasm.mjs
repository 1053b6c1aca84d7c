// sparsecc's wasm runtime vs onnxruntime-web (wasm backend, SIMD, 1 thread), in one node process.
//
//   node --no-liftoff bench/wasm/bench_wasm.mjs JOB.json
//
// JOB.json: {runtime: path of sparsecc_runtime.wasm, warmup, repeat, rounds,
//            models: [{name, scc, onnx, inputs: [{name, shape, file}]}]}
// Per model: both engines load the model, run the same input once (outputs are
// written next to the input file as <name>.sparsecc.bin / <name>.ort.bin for the
// caller's agreement check), warm up, then `rounds` rounds alternate the engines,
// each round timing `repeat` runs in a loop: sparsecc inside the module
// (Session#bench), onnxruntime-web in JS (await session.run per iteration, its
// own API being async). Prints JSON: per model, all samples (ms) of both.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Runtime } from '../../web/js/sparsecc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireFromWeb = createRequire(join(root, 'web', 'package.json'));
const ortPath = join(dirname(requireFromWeb.resolve('onnxruntime-web')), 'ort.node.min.mjs');  // dist/
const ort = await import(pathToFileURL(ortPath).href);
ort.env.wasm.numThreads = 1;
ort.env.wasm.simd = true;
ort.env.logLevel = 'error';

const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const rt = await Runtime.load(job.runtime);
const result = { onnxruntime_web: ort.env.versions ? ort.env.versions.web : null, node: process.version, models: [] };

for (const m of job.models) {
  const feedsArr = m.inputs.map((t) => {
    const b = readFileSync(t.file);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  });
  const ours = rt.createSession(readFileSync(m.scc));
  const theirs = await ort.InferenceSession.create(readFileSync(m.onnx), {
    executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1,
  });
  const ortFeeds = Object.fromEntries(m.inputs.map((t, i) => [t.name, new ort.Tensor('float32', feedsArr[i], t.shape)]));
  const outName = theirs.outputNames[0];
  const a = ours.run(feedsArr);
  const b = await theirs.run(ortFeeds);
  writeFileSync(`${m.inputs[0].file}.sparsecc.bin`, Buffer.from(a[ours.outputInfo[0].name].buffer));
  writeFileSync(`${m.inputs[0].file}.ort.bin`, Buffer.from(new Float32Array(b[outName].data).buffer));

  for (let i = 0; i < job.warmup; ++i) await theirs.run(ortFeeds);
  ours.bench({ warmup: job.warmup, repeat: 0 });
  const sparsecc = [];
  const onnxruntimeWeb = [];
  for (let r = 0; r < job.rounds; ++r) {
    sparsecc.push(...ours.bench({ warmup: 0, repeat: job.repeat }).samples);
    for (let i = 0; i < job.repeat; ++i) {
      const t0 = performance.now();
      await theirs.run(ortFeeds);
      onnxruntimeWeb.push(performance.now() - t0);
    }
  }
  result.models.push({ name: m.name, sparsecc_wasm_ms: sparsecc, onnxruntime_web_ms: onnxruntimeWeb });
  ours.dispose();
  await theirs.release();
}
console.log(JSON.stringify(result));
