"""Sessions are safe to use from many Python threads: 8 threads x 1,000 runs on one
shared InferenceSession, on one shared runtime session without the Python lock (the
binding's own mutex), and 8 threads each with its own session over one model file all
give outputs bitwise identical to a single-threaded run of the same input.

Each thread feeds its own seeded input, so a run that read another thread's input or
wrote into another thread's output (a shared arena race) changes the bits."""
from __future__ import annotations

import threading

import numpy as np
import pytest
from model_builders import conv_bn_relu, two_branch

import sparsecc
from sparsecc import _runtime

THREADS, RUNS = 8, 1000


def _inputs(shape, n=THREADS):
    return [np.random.default_rng(100 + i).standard_normal(shape).astype(np.float32) for i in range(n)]


def _in_threads(work, n=THREADS) -> None:
    """Run work(i) in n threads started together; re-raise the first failure."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def target(i):
        try:
            barrier.wait()
            work(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is still running after 120 s (deadlock?)"
    if errors:
        raise errors[0]


@pytest.fixture(scope="module")
def small():
    """two_branch (Relu, Sigmoid, Tanh, Add; two outputs) on [1, 4, 8, 8]: ~25 us a run."""
    return sparsecc.compile(two_branch())


def test_one_session_shared_by_8_threads_x_1000_runs_is_bitwise_identical(small):
    sess = sparsecc.InferenceSession(small)
    xs = _inputs((1, 4, 8, 8))
    expected = [sess.run(None, {"input": x}) for x in xs]
    mismatches = [0] * THREADS

    def work(i):
        for _ in range(RUNS):
            got = sess.run(None, {"input": xs[i]})
            if not all(np.array_equal(g, e) for g, e in zip(got, expected[i])):
                mismatches[i] += 1

    _in_threads(work)
    assert mismatches == [0] * THREADS, f"runs differing from the single-threaded result, per thread: {mismatches}"


def test_runtime_session_without_the_python_lock_is_still_safe(small):
    """The binding serialises runs itself (a mutex under the released GIL)."""
    model = _runtime.Model.from_bytes(small.to_bytes())
    raw = _runtime.Session(model, 1)
    xs = _inputs((1, 4, 8, 8))
    expected = [raw.run({"input": x}) for x in xs]
    mismatches = [0] * THREADS

    def work(i):
        for _ in range(RUNS // 2):
            got = raw.run({"input": xs[i]})
            if any(not np.array_equal(got[k], v) for k, v in expected[i].items()):
                mismatches[i] += 1

    _in_threads(work)
    assert mismatches == [0] * THREADS, f"runs differing per thread: {mismatches}"


def test_8_threads_each_with_its_own_session_over_one_model_file(tmp_path):
    path = sparsecc.compile(conv_bn_relu(cin=4, cout=8, size=12)).save(tmp_path / "shared.scc")
    xs = _inputs((1, 4, 12, 12))
    reference = sparsecc.InferenceSession(path)
    expected = [reference.run(None, {"input": x})[0] for x in xs]
    mismatches = [0] * THREADS

    def work(i):
        sess = sparsecc.InferenceSession(path, num_threads=1 + i % 2)  # half of them with a 2-thread pool
        for _ in range(100):
            if not np.array_equal(sess.run(None, {"input": xs[i]})[0], expected[i]):
                mismatches[i] += 1

    _in_threads(work)
    assert mismatches == [0] * THREADS, f"runs differing per thread (odd threads: num_threads=2): {mismatches}"
