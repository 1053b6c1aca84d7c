"""The browser demo (web/demo) runs a wasm32 model in headless Chromium.

A static site is laid out as an install would (js/sparsecc.mjs,
lib/sparsecc_runtime.wasm, demo/ + a model compiled for wasm32), served on
127.0.0.1, and opened with Debian's chromium through playwright-core. The page
must finish without errors, show a latency, and its first outputs (synthetic
input computed in the page) must equal those of the same model run by the JS
wrapper in node on the same input (rel_err <= 1e-5: same wasm code, two engines).
The screenshot goes to $SPARSECC_WEB_SCREENSHOT (default: the test's temp dir;
bench/results/web-demo.png was made with it).
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading

import numpy as np
import pytest
import wasm_env

import sparsecc
from sparsecc import zoo


def synthetic_input(shape: list[int]) -> np.ndarray:
    """The page's syntheticInput (web/demo/demo.mjs), in numpy."""
    n = int(np.prod(shape))
    w = shape[-1]
    h = shape[-2]
    i = np.arange(n)
    col, row, ch = i % w, (i // w) % h, i // (w * h)
    return (np.sin((col / w) * np.pi * (1 + ch)) * np.cos((row / h) * np.pi)).astype(np.float32).reshape(shape)


@pytest.fixture
def site(tmp_path, wasm_build):
    root = tmp_path / "site"
    shutil.copytree(os.path.join(wasm_env.ROOT, "web", "js"), root / "js")
    shutil.copytree(os.path.join(wasm_env.ROOT, "web", "demo"), root / "demo")
    (root / "lib").mkdir()
    shutil.copy(wasm_env.RUNTIME_WASM, root / "lib" / "sparsecc_runtime.wasm")
    sparsecc.compile(zoo.build("mobilenet_v2", input_size=128), target="wasm32").save(str(root / "demo" / "model.scc"))
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_demo_page_runs_a_wasm32_model_in_headless_chromium(site, tmp_path):
    wasm_env.need(os.path.exists(wasm_env.CHROMIUM), f"{wasm_env.CHROMIUM} not installed")
    wasm_env.need(shutil.which("node") is not None, "node not installed")
    wasm_env.need(os.path.isdir(os.path.join(wasm_env.ROOT, "web", "node_modules", "playwright-core")),
                  "web/node_modules/playwright-core missing")
    root, url = site
    shot = os.environ.get("SPARSECC_WEB_SCREENSHOT", str(tmp_path / "web-demo.png"))
    p = subprocess.run(["node", os.path.join(wasm_env.HERE, "browser_demo.mjs"), f"{url}/demo/index.html?repeat=5",
                        shot, wasm_env.CHROMIUM], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"browser_demo.mjs failed ({p.returncode}): {p.stderr[-3000:]}"
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["state"] == "done", f"demo page ended in state {r['state']}: {r['demo']} {r['consoleErrors']}"
    assert not r["consoleErrors"], f"console errors: {r['consoleErrors']}"
    demo = r["demo"]
    assert demo["medianMs"] > 0 and r["latencyText"].endswith(" ms"), f"no latency shown: {r}"
    assert demo["outputShape"] == [1, 1000] and len(demo["top5"]) == 5

    x = synthetic_input([1, 3, 128, 128])
    want, _ = wasm_env.run_node(str(root / "demo" / "model.scc"), [x])
    got = np.asarray(demo["firstOutputs"], dtype=np.float32)
    ref = want[0].reshape(-1)[:8]
    err = float(np.max(np.abs(got - ref)) / max(np.max(np.abs(want[0])), 1e-6))
    assert err <= 1e-5, f"browser vs node outputs differ: rel_err {err:.3g}: {got} vs {ref}"
    assert list(np.argsort(-want[0].reshape(-1))[:5]) == demo["top5"], "top-5 differs between browser and node"

    with open(shot, "rb") as f:
        png = f.read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, f"screenshot {shot} is not a real PNG"
