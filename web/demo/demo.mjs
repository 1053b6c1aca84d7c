// The demo page's logic: load the runtime and a model, run it on a synthetic
// image, show latency (Session#bench: loop inside the module), top-5 and the
// slowest layers. Query parameters: ?model=URL (default model.scc beside the
// page), &runtime=URL (default ../lib/sparsecc_runtime.wasm), &repeat=N.
// For automated checks the result is also left in window.sparseccDemo and
// <body data-state="done"> (or "error").
import { Runtime } from '../js/sparsecc.mjs';

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') || 'model.scc';
const runtimeUrl = params.get('runtime') || new URL('../lib/sparsecc_runtime.wasm', import.meta.url).href;
const repeat = Math.max(1, parseInt(params.get('repeat') || '10', 10));
const $ = (id) => document.getElementById(id);

// A smooth RGB gradient in [-1, 1] of the input's shape (N, C, H, W or any).
function syntheticInput(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  const w = shape[shape.length - 1] || 1;
  const h = shape.length >= 2 ? shape[shape.length - 2] : 1;
  for (let i = 0; i < n; ++i) {
    const col = i % w, row = Math.floor(i / w) % h, ch = Math.floor(i / (w * h));
    x[i] = Math.sin((col / w) * Math.PI * (1 + ch)) * Math.cos((row / h) * Math.PI);
  }
  return x;
}

function showTable(id, rows) {
  const body = $(id).querySelector('tbody');
  body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) td.append(c); else td.textContent = c;
      if (tr.children.length > 0 && typeof c === 'string' && /^-?[\d.]+$/.test(c)) td.className = 'num';
      tr.append(td);
    }
    return tr;
  }));
}

async function runModel(rt, bytes, name) {
  $('status').textContent = 'Running…';
  $('model-name').textContent = name;
  const session = rt.createSession(bytes, { profile: true });
  const inp = session.inputInfo, out = session.outputInfo;
  $('model-io').textContent = `(${inp.map((t) => `${t.name} [${t.shape}]`).join(', ')} → ${out.map((t) => `${t.name} [${t.shape}]`).join(', ')})`;
  const feeds = inp.map((t) => syntheticInput(t.shape));
  const outputs = session.run(feeds);
  const layers = session.layerTimings();
  const timing = session.bench({ warmup: 2, repeat });
  const y = outputs[out[0].name];
  const top5 = Array.from(y.keys()).sort((a, b) => y[b] - y[a]).slice(0, 5);
  $('repeat').textContent = String(repeat);
  $('latency').textContent = `${timing.median.toFixed(2)} ms`;
  $('latency-detail').textContent = `min ${Math.min(...timing.samples).toFixed(2)} ms · max ${Math.max(...timing.samples).toFixed(2)} ms · ${layers.length} layers`;
  showTable('top5', top5.map((i) => [String(i), y[i].toFixed(4)]));
  const slow = [...layers].sort((a, b) => b.ms - a.ms).slice(0, 8);
  const worst = slow.length ? slow[0].ms : 1;
  showTable('layers', slow.map((l) => {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.width = `${(100 * l.ms / worst).toFixed(1)}%`;
    return [l.name, l.op, l.kernel, l.ms.toFixed(3), bar];
  }));
  session.dispose();
  $('status').textContent = 'Done.';
  window.sparseccDemo = { model: name, medianMs: timing.median, samples: timing.samples, top5,
                          firstOutputs: Array.from(y.slice(0, 8)), outputShape: out[0].shape, layers: layers.length };
  document.body.dataset.state = 'done';
}

async function main() {
  let rt, bytes, name = modelUrl.split('/').pop();
  try {
    rt = await Runtime.load(runtimeUrl);
    const r = await fetch(modelUrl);
    if (!r.ok) throw new Error(`cannot fetch ${modelUrl}: HTTP ${r.status}`);
    bytes = new Uint8Array(await r.arrayBuffer());
    await runModel(rt, bytes, name);
  } catch (e) {
    $('status').innerHTML = '';
    $('status').append(Object.assign(document.createElement('span'), { className: 'error', textContent: e.message }));
    window.sparseccDemo = { error: e.message };
    document.body.dataset.state = 'error';
  }
  $('rerun').onclick = () => rt && bytes && runModel(rt, bytes, name).catch((e) => { $('status').textContent = e.message; });
  $('file').onchange = async (ev) => {
    const f = ev.target.files[0];
    if (!f || !rt) return;
    bytes = new Uint8Array(await f.arrayBuffer());
    name = f.name;
    runModel(rt, bytes, name).catch((e) => {
      $('status').replaceChildren(Object.assign(document.createElement('span'), { className: 'error', textContent: e.message }));
    });
  };
}

main();
