"""Latency monitor: our latency.c (the sampling half; LATENCY command comes with the cron issue).

Code around a slow operation does
    t = latencyStartMonitor()
    ...
    latencyAddSampleIfNeeded("event-name", latencyEndMonitor(t))
and an event is recorded only when latency-monitor-threshold is set and
exceeded, so the monitor costs a clock read per site when it is off.
"""

import time

from .server_h import server

LATENCY_TS_LEN = 160


class latencySample:
    __slots__ = ("time", "latency")

    def __init__(self, t, latency):
        self.time = t
        self.latency = latency


class latencyTimeSeries:
    """The last LATENCY_TS_LEN samples of one event, one per second at most."""
    __slots__ = ("idx", "max", "samples")

    def __init__(self):
        self.idx = 0
        self.max = 0
        self.samples = [latencySample(0, 0) for _ in range(LATENCY_TS_LEN)]


def latencyStartMonitor():
    """Start timing an operation (latencyStartMonitor): 0 when the monitor is off."""
    return time.monotonic_ns() if server.latency_monitor_threshold else 0


def latencyEndMonitor(start):
    """Milliseconds since latencyStartMonitor (latencyEndMonitor)."""
    if not start:
        return 0
    return (time.monotonic_ns() - start) // 1000000


def latencyAddSample(event, latency):
    """Record `latency` ms for `event` (latencyAddSample)."""
    ts = server.latency_events.get(event)
    now = int(time.time())
    if ts is None:
        ts = server.latency_events[event] = latencyTimeSeries()
    if latency > ts.max:
        ts.max = latency
    prev = (ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN
    if ts.samples[prev].time == now:
        if latency > ts.samples[prev].latency:
            ts.samples[prev].latency = latency
        return
    ts.samples[ts.idx] = latencySample(now, latency)
    ts.idx = (ts.idx + 1) % LATENCY_TS_LEN


def latencyAddSampleIfNeeded(event, latency):
    """Record the sample only when it passes latency-monitor-threshold."""
    thr = server.latency_monitor_threshold
    if thr and latency >= thr:
        latencyAddSample(event, latency)
