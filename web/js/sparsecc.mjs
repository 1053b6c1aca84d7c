// sparsecc runtime for JavaScript: an ES module around sparsecc_runtime.wasm
// (the C runtime built for wasm32-wasi with SIMD128; runtime_cpp/wasm/).
// Works in node (>= 18) and in browsers; no dependencies.
//
//   import { Runtime } from './sparsecc.mjs';
//   const rt = await Runtime.load();                  // ../lib/sparsecc_runtime.wasm beside this file,
//                                                     // or Runtime.load(urlOrPathOrBytes)
//   const session = rt.createSession(modelBytes);     // bytes of a .scc file compiled with --target wasm32
//   const { logits } = session.run({ input: new Float32Array(3 * 224 * 224) });
//   session.setProfiling(true); session.run(...); session.layerTimings();  // [{name, op, kernel, ms}]
//   session.bench({ warmup: 3, repeat: 20 });         // timed loop inside the module: {samples, median}
//   session.dispose();
//
// Errors: the wasm runtime has no C++ exceptions; a failing call traps after
// storing its message. Every call goes through Runtime#call, which turns the
// trap into a SparseccError carrying that message and re-instantiates the
// module (its memory after a trap is not trustworthy). Sessions keep their
// model bytes and re-create themselves in the new instance on next use, so
// every object stays usable after an error.
// Threads: the wasm build runs on one thread; numThreads > 1 is accepted and clamped to 1.

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** An error reported by the sparsecc runtime (bad model file, wrong input...). */
export class SparseccError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'SparseccError';
  }
}

const isNode = typeof process !== 'undefined' && !!(process.versions && process.versions.node);

async function readBytes(source) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  const text = source instanceof URL ? source.href : String(source);
  if (isNode && !/^https?:/.test(text)) {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    return new Uint8Array(await readFile(text.startsWith('file:') ? fileURLToPath(text) : text));
  }
  const response = await fetch(text);
  if (!response.ok) throw new SparseccError(`cannot fetch ${text}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

// The few WASI preview1 calls the reactor imports: environment (SPARSECC_ARCH),
// monotonic/realtime clock, stderr/stdout writes (to the log function), exit.
function wasiImports(runtime) {
  const view = () => new DataView(runtime.exports.memory.buffer);
  const envBytes = () => Object.entries(runtime.env).map(([k, v]) => encoder.encode(`${k}=${v}\0`));
  const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();
  return {
    environ_sizes_get(countPtr, sizePtr) {
      const env = envBytes();
      view().setUint32(countPtr, env.length, true);
      view().setUint32(sizePtr, env.reduce((n, b) => n + b.length, 0), true);
      return ERRNO_SUCCESS;
    },
    environ_get(environPtr, bufPtr) {
      const mem = new Uint8Array(runtime.exports.memory.buffer);
      for (const [i, b] of envBytes().entries()) {
        view().setUint32(environPtr + 4 * i, bufPtr, true);
        mem.set(b, bufPtr);
        bufPtr += b.length;
      }
      return ERRNO_SUCCESS;
    },
    clock_time_get(clockId, _precision, timePtr) {
      const ms = clockId === 0 ? Date.now() : now();
      view().setBigUint64(timePtr, BigInt(Math.round(ms * 1e6)), true);
      return ERRNO_SUCCESS;
    },
    fd_write(fd, iovs, iovsLen, nwrittenPtr) {
      if (fd !== 1 && fd !== 2) return ERRNO_BADF;
      let text = '';
      let n = 0;
      for (let i = 0; i < iovsLen; ++i) {
        const ptr = view().getUint32(iovs + 8 * i, true);
        const len = view().getUint32(iovs + 8 * i + 4, true);
        text += decoder.decode(new Uint8Array(runtime.exports.memory.buffer, ptr, len));
        n += len;
      }
      runtime.log(text.replace(/\n$/, ''));
      view().setUint32(nwrittenPtr, n, true);
      return ERRNO_SUCCESS;
    },
    fd_close: () => ERRNO_BADF,
    fd_seek: () => ERRNO_BADF,
    proc_exit(code) {
      throw new WebAssembly.RuntimeError(`sparsecc runtime exited with code ${code}`);
    },
  };
}

/** One instance of the wasm runtime; creates sessions. */
export class Runtime {
  /**
   * @param source URL, path (node), bytes of sparsecc_runtime.wasm, or a compiled WebAssembly.Module;
   *   default: ../lib/sparsecc_runtime.wasm relative to this file (the `sparsecc runtime build` layout).
   * @param options env: environment seen by the runtime (e.g. {SPARSECC_ARCH: 'scalar'});
   *   log: receives what the runtime prints (default console.warn).
   */
  static async load(source = new URL('../lib/sparsecc_runtime.wasm', import.meta.url), options = {}) {
    const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(await readBytes(source));
    return new Runtime(module, options);
  }

  constructor(module, { env = {}, log = (s) => console.warn(s) } = {}) {
    this.module = module;
    this.env = env;
    this.log = log;
    this.generation = 0;  // bumped by every (re-)instantiation; sessions compare it
    this.instantiate();
  }

  instantiate() {
    const instance = new WebAssembly.Instance(this.module, { wasi_snapshot_preview1: wasiImports(this) });
    this.exports = instance.exports;
    this.exports._initialize();
    this.generation += 1;
  }

  /** Calls an export; a trap becomes a SparseccError with the runtime's message, and a fresh instance. */
  call(name, ...args) {
    try {
      return this.exports[name](...args);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      let message = '';
      try {
        message = this.cString(this.exports.scc_wasm_fatal_error());
      } catch { /* memory unreadable: fall back to the trap's own text */ }
      this.instantiate();
      throw new SparseccError(message || `sparsecc runtime trapped: ${e.message}`, { cause: e });
    }
  }

  /** A status-returning C API call: non-zero becomes a SparseccError with scc_last_error(). */
  check(name, ...args) {
    const status = this.call(name, ...args);
    if (status !== 0) throw new SparseccError(`${name}: ${this.cString(this.exports.scc_last_error())}`);
  }

  cString(ptr) {
    const mem = new Uint8Array(this.exports.memory.buffer);
    let end = ptr;
    while (mem[end] !== 0) ++end;
    return decoder.decode(mem.subarray(ptr, end));
  }

  malloc(bytes) {
    const p = this.call('malloc', Math.max(bytes, 1));
    if (!p) throw new SparseccError(`out of wasm memory allocating ${bytes} bytes`);
    return p;
  }

  u32(ptr) { return new DataView(this.exports.memory.buffer).getUint32(ptr, true); }

  /**
   * @param modelBytes Uint8Array/ArrayBuffer of a .scc model file (copied).
   * @param options numThreads (clamped to 1 in wasm), profile (record per-layer times on every run).
   */
  createSession(modelBytes, options = {}) {
    return new Session(this, modelBytes, options);
  }
}

/** A model loaded into the runtime plus its activation arena; not shareable between concurrent runs. */
export class Session {
  constructor(runtime, modelBytes, { numThreads = 1, profile = false } = {}) {
    if (!(modelBytes instanceof Uint8Array || modelBytes instanceof ArrayBuffer))
      throw new TypeError('createSession: model bytes must be a Uint8Array or ArrayBuffer');
    this.runtime = runtime;
    this.bytes = new Uint8Array(modelBytes).slice();
    this.numThreads = numThreads;
    this.profile = profile;
    this.generation = -1;
    this.open();
  }

  // (Re-)creates the model and session handles and the I/O buffers in the current instance.
  open() {
    const rt = this.runtime;
    const gen = rt.generation;
    const data = rt.malloc(this.bytes.length);
    new Uint8Array(rt.exports.memory.buffer).set(this.bytes, data);
    const slot = rt.malloc(8);
    rt.check('scc_model_load_bytes', data, this.bytes.length, slot);  // a bad file traps: SparseccError
    const model = rt.u32(slot);
    rt.call('free', data);
    rt.check('scc_session_create', model, Math.max(1, this.numThreads | 0), slot);
    this.handle = rt.u32(slot);
    rt.call('scc_model_free', model);  // the session keeps the model alive
    const list = (kind) => {
      rt.check(`scc_session_num_${kind}s`, this.handle, slot);
      const out = [];
      for (let i = 0, n = rt.u32(slot); i < n; ++i) {
        rt.check(`scc_session_${kind}_name`, this.handle, i, slot);
        const name = rt.cString(rt.u32(slot));
        rt.check(`scc_session_${kind}_shape`, this.handle, i, slot, slot + 4);
        const dims = new BigInt64Array(rt.exports.memory.buffer, rt.u32(slot), rt.u32(slot + 4));
        const shape = Array.from(dims, Number);
        const size = shape.reduce((a, b) => a * b, 1);
        out.push({ name, shape, size, ptr: rt.malloc(4 * size) });
      }
      return out;
    };
    this.inputs = list('input');
    this.outputs = list('output');
    this.inPtrs = rt.malloc(4 * Math.max(1, this.inputs.length));
    this.outPtrs = rt.malloc(4 * Math.max(1, this.outputs.length));
    const dv = new DataView(rt.exports.memory.buffer);
    this.inputs.forEach((t, i) => dv.setUint32(this.inPtrs + 4 * i, t.ptr, true));
    this.outputs.forEach((t, i) => dv.setUint32(this.outPtrs + 4 * i, t.ptr, true));
    this.slot = slot;
    rt.check('scc_session_set_profiling', this.handle, this.profile ? 1 : 0);
    if (rt.generation !== gen) throw new SparseccError('sparsecc runtime was reset while opening a session');
    this.generation = gen;
  }

  ensureOpen() {
    if (!this.bytes) throw new SparseccError('session was disposed');
    if (this.generation !== this.runtime.generation) this.open();
  }

  /** Input and output names/shapes: [{name, shape}]. */
  get inputInfo() { return this.inputs.map(({ name, shape }) => ({ name, shape })); }
  get outputInfo() { return this.outputs.map(({ name, shape }) => ({ name, shape })); }

  setProfiling(on) {
    this.profile = !!on;
    this.ensureOpen();
    this.runtime.check('scc_session_set_profiling', this.handle, this.profile ? 1 : 0);
  }

  // Copies feeds ({name: Float32Array} or [Float32Array] in input order) into the module.
  writeInputs(feeds) {
    const heap = new Float32Array(this.runtime.exports.memory.buffer);
    this.inputs.forEach((t, i) => {
      const x = Array.isArray(feeds) ? feeds[i] : feeds[t.name];
      if (!(x instanceof Float32Array))
        throw new SparseccError(`input '${t.name}': expected a Float32Array of ${t.size} values, got ${x === undefined ? 'nothing' : typeof x}`);
      if (x.length !== t.size)
        throw new SparseccError(`input '${t.name}': expected ${t.size} float32 values (shape [${t.shape}]), got ${x.length}`);
      heap.set(x, t.ptr / 4);
    });
    const known = new Set(this.inputs.map((t) => t.name));
    if (!Array.isArray(feeds))
      for (const k of Object.keys(feeds)) if (!known.has(k)) throw new SparseccError(`input '${k}': the model has no such input`);
  }

  /** Runs the model once; returns {outputName: Float32Array} (copies). */
  run(feeds) {
    this.ensureOpen();
    this.writeInputs(feeds);
    const rt = this.runtime;
    rt.check('scc_session_run', this.handle, this.inPtrs, this.inputs.length, this.outPtrs, this.outputs.length);
    const heap = new Float32Array(rt.exports.memory.buffer);
    return Object.fromEntries(this.outputs.map((t) => [t.name, heap.slice(t.ptr / 4, t.ptr / 4 + t.size)]));
  }

  /** Per-layer times of the last run made with profiling on: [{name, op, kernel, ms}]. */
  layerTimings() {
    this.ensureOpen();
    const rt = this.runtime;
    const s = this.slot;
    const cell = rt.malloc(24);
    try {
      rt.check('scc_session_num_layer_timings', this.handle, s);
      const out = [];
      for (let i = 0, n = rt.u32(s); i < n; ++i) {
        rt.check('scc_session_layer_timing', this.handle, i, cell, cell + 4, cell + 8, cell + 16);
        const dv = new DataView(rt.exports.memory.buffer);
        out.push({
          name: rt.cString(rt.u32(cell)), op: rt.cString(rt.u32(cell + 4)), kernel: rt.cString(rt.u32(cell + 8)),
          ms: dv.getFloat64(cell + 16, true) * 1e3,
        });
      }
      return out;
    } finally {
      rt.call('free', cell);
    }
  }

  /**
   * Timed loop inside the module (no JS call per run): `warmup` untimed runs,
   * then `repeat` timed ones. Inputs: feeds, or the ones of the last run.
   * @returns {{samples: number[], median: number}} milliseconds
   */
  bench({ warmup = 2, repeat = 10, feeds } = {}) {
    this.ensureOpen();
    if (feeds) this.writeInputs(feeds);
    const rt = this.runtime;
    const ms = rt.malloc(8 * Math.max(1, repeat));
    try {
      rt.check('scc_wasm_bench', this.handle, this.inPtrs, this.inputs.length, this.outPtrs, this.outputs.length,
        warmup, repeat, ms);
      const samples = Array.from(new Float64Array(rt.exports.memory.buffer, ms, repeat));
      return { samples, median: median(samples) };
    } finally {
      rt.call('free', ms);
    }
  }

  /** Frees the session's memory in the module. The object is unusable afterwards. */
  dispose() {
    if (this.bytes && this.generation === this.runtime.generation) {
      const rt = this.runtime;
      rt.call('scc_session_free', this.handle);
      for (const t of [...this.inputs, ...this.outputs]) rt.call('free', t.ptr);
      for (const p of [this.inPtrs, this.outPtrs, this.slot]) rt.call('free', p);
    }
    this.bytes = null;
  }
}

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  return n === 0 ? NaN : n % 2 ? v[(n - 1) / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
