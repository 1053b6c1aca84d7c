"""``InferenceSession.run`` releases the GIL: while one thread runs a ~60 ms model,
a pure-Python thread keeps making progress.

Measure: a counter thread counts loop iterations. Its rate while the main thread
calls ``busy()`` back to back, divided by its rate while the main thread sleeps
(the better of one solo phase before and one after, so load that slows the solo
phase cannot inflate the ratio), is the share of time it could run. If ``busy``
held the GIL, the counter would only run in the switch-interval gaps between calls
(about 5 ms per 60 ms call, a ratio under ~0.1); released, it runs on the other
core, or shares one core with the runtime (about 0.5). A control shows the measure
tells the two apart: ``sorted`` on a large list holds the GIL and scores low. The
control's calls are sized in thread CPU time to at least 20 switch intervals, so a
machine that is slow while sizing them cannot make them short (short calls leave
proportionally more room to the counter: with 15 ms calls a GIL holder scores ~25 %).
On a loaded machine each case is retried a few times and its best score counts.
"""
from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest
from model_builders import conv_bn_relu

import sparsecc

THRESHOLD = 0.25
PHASE_S = 0.3


class Counter(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.count = 0
        self.stop = False

    def run(self):
        while not self.stop:
            self.count += 1


def _phase(counter: Counter, action) -> float:
    """Counter iterations per second while ``action()`` repeats for PHASE_S seconds."""
    c0, t0 = counter.count, time.perf_counter()
    while time.perf_counter() - t0 < PHASE_S:
        action()
    return (counter.count - c0) / (time.perf_counter() - t0)


def progress_ratio(busy) -> float:
    """The counter's rate during ``busy()`` calls over its best solo rate."""
    counter = Counter()
    counter.start()
    try:
        time.sleep(0.02)
        solo_before = _phase(counter, lambda: time.sleep(0.01))
        during = _phase(counter, busy)
        solo_after = _phase(counter, lambda: time.sleep(0.01))
    finally:
        counter.stop = True
        counter.join()
    return during / max(solo_before, solo_after, 1.0)


@pytest.fixture(scope="module")
def slow_run():
    """A 3x3 conv, 32 -> 32 channels on 48x48: about 60 ms a run with the scalar kernels."""
    sess = sparsecc.InferenceSession(sparsecc.compile(conv_bn_relu(cin=32, cout=32, size=48), kernels="ref"))
    x = np.random.default_rng(5).standard_normal((1, 32, 48, 48)).astype(np.float32)
    t0 = time.perf_counter()
    sess.run(None, {"input": x})
    seconds = time.perf_counter() - t0
    return (lambda: sess.run(None, {"input": x})), seconds


def _gil_holding_call_like(cpu_seconds: float):
    """``sorted`` of a list of ints: C code that never releases the GIL, grown until
    one call takes at least ``cpu_seconds`` of this thread's CPU time."""
    base = np.random.default_rng(6).permutation(200_000).tolist()
    data = base
    while True:
        t0 = time.thread_time()
        sorted(data)
        if time.thread_time() - t0 >= cpu_seconds or len(data) >= 64 * len(base):
            return lambda: sorted(data)
        data = data + data


def test_counter_thread_progresses_while_a_run_is_in_progress(slow_run):
    run, seconds = slow_run
    assert seconds > 0.01, f"the model runs in {seconds * 1e3:.1f} ms: too fast for this measurement"
    ratios = []
    for _ in range(3):
        ratios.append(progress_ratio(run))
        if ratios[-1] >= THRESHOLD:
            break
    assert max(ratios) >= THRESHOLD, (f"a Python thread ran only {max(ratios):.0%} of its solo rate during run() "
                                      f"(tries: {[round(r, 3) for r in ratios]}); is the GIL held while running?")


def test_the_measure_detects_a_call_that_holds_the_gil(slow_run):
    _, seconds = slow_run
    holder = _gil_holding_call_like(max(seconds, 20 * sys.getswitchinterval()))
    ratios = []
    for _ in range(3):
        ratios.append(progress_ratio(holder))
        if ratios[-1] < THRESHOLD:
            break
    assert min(ratios) < THRESHOLD, (f"control holding the GIL scored {min(ratios):.0%} "
                                     f"(tries: {[round(r, 3) for r in ratios]}); the measure cannot tell")
