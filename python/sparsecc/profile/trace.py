"""Chrome trace-event JSON (chrome://tracing, Perfetto) of a profile.

One process per profiled configuration (run of the document), one track
(thread) per timed run. On each track: a complete event ("ph": "X") for the
whole run and one per layer inside it. Layers run one after another, so a
layer's start is the run's start plus the durations of the layers before it;
runs are laid end to end. Times are microseconds, as the format requires.
"""
from __future__ import annotations

import json


def trace_events(doc: dict) -> list[dict]:
    events: list[dict] = []
    for pid, run in enumerate(doc["runs"], start=1):
        events.append({"name": "process_name", "ph": "M", "pid": pid, "tid": 0,
                       "args": {"name": f"{run['label']} ({run['runner']['device']})"}})
        e2e = run["end_to_end_ms"]["samples"]
        t = 0.0
        for r, total_ms in enumerate(e2e):
            tid = r + 1
            events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid, "args": {"name": f"run {r}"}})
            events.append({"name": f"run {r}", "cat": "run", "ph": "X", "pid": pid, "tid": tid,
                           "ts": round(t * 1e3, 3), "dur": round(total_ms * 1e3, 3), "args": {"run": r}})
            start = t
            for layer in run["layers"]:
                ms = layer["samples_ms"][r]
                events.append({"name": layer["name"], "cat": layer["op"], "ph": "X", "pid": pid, "tid": tid,
                               "ts": round(start * 1e3, 3), "dur": round(ms * 1e3, 3),
                               "args": {"kernel": layer["kernel"], "run": r, "layer": layer["index"]}})
                start += ms
            t += max(total_ms, start - t)
    return events


def write_trace(doc: dict, path) -> None:
    from sparsecc.compiler.artifact import write_atomic

    body = {"traceEvents": trace_events(doc), "displayTimeUnit": "ms",
            "otherData": {"schema": doc["schema"], "version": doc["version"], "model": doc["model"]["path"]}}
    write_atomic(path, json.dumps(body).encode())
