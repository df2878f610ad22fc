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
from .networking import (
    addReplyArrayLen,
    addReplyBulkCBuffer,
    addReplyBulkCString,
    addReplyErrorFormat,
    addReplyHelp,
    addReplyLongLong,
    addReplyMapLen,
    addReplySubcommandSyntaxError,
    addReplyVerbatim,
)
from .server import _each_command, lookupCommandBySds
from .util import c_string

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


def latencyResetEvent(event_to_reset):
    """Forget one event's samples (case-insensitive), or all with None (latencyResetEvent)."""
    resets = 0
    for event in list(server.latency_events):
        if event_to_reset is None or event.lower() == event_to_reset.lower():
            del server.latency_events[event]
            resets += 1
    return resets


class latencyStats:
    """What LATENCY DOCTOR says about one event (struct latencyStats)."""
    __slots__ = ("all_time_high", "avg", "min", "max", "mad", "samples", "period")


def analyzeLatencyForEvent(event):
    """Samples, average, mean absolute deviation and period of an event (analyzeLatencyForEvent)."""
    ts = server.latency_events.get(event)
    ls = latencyStats()
    ls.all_time_high = ts.max if ts else 0
    ls.avg = ls.min = ls.max = ls.mad = ls.samples = ls.period = 0
    if ts is None:
        return ls
    total = 0
    for s in ts.samples:
        if s.time == 0:
            continue
        ls.samples += 1
        if ls.samples == 1:
            ls.min = ls.max = s.latency
        else:
            ls.min = min(ls.min, s.latency)
            ls.max = max(ls.max, s.latency)
        total += s.latency
        if ls.period == 0 or s.time < ls.period:
            ls.period = s.time
    if ls.samples:
        ls.avg = total // ls.samples
        ls.period = int(time.time()) - ls.period
        if ls.period == 0:
            ls.period = 1
        ls.mad = sum(abs(ls.avg - s.latency) for s in ts.samples if s.time) // ls.samples
    return ls


# The advice paragraphs LATENCY DOCTOR can print, for the events pyredis
# produces, keyed by the flag createLatencyReport sets.
_ADVICE = {
    "better_vm": "- If you are using a virtual machine, consider upgrading it with a faster one "
                 "using a hypervisior that provides less latency during fork() calls. Xen is known "
                 "to have poor fork() performance. Even in the context of the same VM provider, "
                 "certain kinds of instances can execute fork faster than others.\n",
    "slowlog_inspect": "- Check your Slow Log to understand what are the commands you are running "
                       "which are too slow to execute. Please check "
                       "https://redis.io/commands/slowlog for more information.\n",
    "scheduler": "- The system is slow to execute Redis code paths not containing system calls. "
                 "This usually means the system does not provide Redis CPU time to run for long "
                 "periods. You should try to:\n"
                 "  1) Lower the system load.\n"
                 "  2) Use a computer / VM just for Redis if you are running other software in "
                 "the same system.\n"
                 "  3) Check if you have a \"noisy neighbour\" problem.\n"
                 "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic "
                 "latency in your system.\n"
                 "  5) Check if the problem is allocator-related by recompiling Redis with "
                 "MALLOC=libc, if you are using Jemalloc. However this may create fragmentation "
                 "problems.\n",
    "hz": "- In order to make the Redis keys expiring process more incremental, try to set the "
          "'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
    "large_objects": "- Deleting, expiring or evicting (because of maxmemory policy) large "
                     "objects is a blocking operation. If you have very large objects that are "
                     "often deleted, expired, or evicted, try to fragment those objects into "
                     "multiple smaller objects.\n",
    "mass_eviction": "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or "
                     "allocation of large objects via sets or sorted sets intersections, STORE "
                     "option of SORT, Redis Cluster large keys migrations (RESTORE command), may "
                     "create sudden memory pressure forcing the server to block trying to evict "
                     "keys. \n",
}


def createLatencyReport():
    """LATENCY DOCTOR's text: a line per event and advice (createLatencyReport)."""
    if not server.latency_events and server.latency_monitor_threshold == 0:
        return ("I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis "
                "instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" "
                "in order to enable it. If we weren't in a deep space mission I'd suggest to take "
                "a look at https://redis.io/topics/latency-monitor.\n")
    out = []
    advise = set()
    advices = 0
    eventnum = 0
    for event, ts in list(server.latency_events.items()):
        eventnum += 1
        if eventnum == 1:
            out.append("Dave, I have observed latency spikes in this Redis instance. You don't "
                       "mind talking about it, do you Dave?\n\n")
        ls = analyzeLatencyForEvent(event)
        out.append("%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f "
                   "sec). Worst all time event %dms." % (
                       eventnum, event, ls.samples, ls.avg, ls.mad,
                       ls.period / ls.samples if ls.samples else 0.0, ts.max))
        e = event.lower()
        if e == "fork":
            rate = getattr(server, "stat_fork_rate", 0.0)
            quality = ("terrible" if rate < 10 else "poor" if rate < 25 else
                       "good" if rate < 100 else "excellent")
            if rate < 25:
                advise.add("better_vm")
                advices += 1
            out.append(" Fork rate is %.2f GB/sec (%s)." % (rate, quality))
        if e == "command":
            if server.slowlog_log_slower_than < 0:
                advise.add("slowlog_enabled")
                advices += 1
            elif server.slowlog_log_slower_than // 1000 > server.latency_monitor_threshold:
                advise.add("slowlog_tuning")
                advices += 1
            advise.update(("slowlog_inspect", "large_objects"))
            advices += 2
        if e == "fast-command":
            advise.add("scheduler")
            advices += 1
        if e == "expire-cycle":
            advise.update(("hz", "large_objects"))
            advices += 2
        if e == "eviction-del":
            advise.add("large_objects")
            advices += 1
        if e == "eviction-cycle":
            advise.add("mass_eviction")
            advices += 1
        out.append("\n")
    if eventnum == 0 and advices == 0:
        out.append("Dave, no latency spike was observed during the lifetime of this Redis "
                   "instance, not in the slightest bit. I honestly think you ought to sit down "
                   "calmly, take a stress pill, and think things over.\n")
    elif eventnum > 0 and advices == 0:
        out.append("\nWhile there are latency events logged, I'm not able to suggest any easy "
                   "fix. Please use the Redis community to get some help, providing this report "
                   "in your help request.\n")
    else:
        out.append("\nI have a few advices for you:\n\n")
        thr = server.latency_monitor_threshold * 1000
        if "better_vm" in advise:
            out.append(_ADVICE["better_vm"])
        if "slowlog_enabled" in advise:
            out.append("- There are latency issues with potentially slow commands you are using. "
                       "Try to enable the Slow Log Redis feature using the command 'CONFIG SET "
                       "slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not "
                       "able to log slow commands execution for you.\n" % thr)
        if "slowlog_tuning" in advise:
            out.append("- Your current Slow Log configuration only logs events that are slower "
                       "than your configured latency monitor threshold. Please use 'CONFIG SET "
                       "slowlog-log-slower-than %d'.\n" % thr)
        if "slowlog_inspect" in advise:
            out.append(_ADVICE["slowlog_inspect"])
        if "scheduler" in advise:
            out.append(_ADVICE["scheduler"])
        if "hz" in advise and server.hz < 100:
            out.append(_ADVICE["hz"])
        if "large_objects" in advise:
            out.append(_ADVICE["large_objects"])
        if "mass_eviction" in advise:
            out.append(_ADVICE["mass_eviction"])
    return "".join(out)


LATENCY_GRAPH_COLS = 80
_SPARK_CHARSET_FILL = "_o#"
_SPARK_LABEL_MARGIN_TOP = 1


def sparklineRender(samples, columns, rows):
    """An ASCII sparkline of (value, label) samples, filled style (sparkline.c's
    sparklineRender with SPARKLINE_FILL): `rows` rows of bars, then the
    labels written vertically under each column."""
    if not samples:
        return ""
    lo = min(v for v, _ in samples)
    hi = max(v for v, _ in samples)
    out = []
    for start in range(0, len(samples), columns):
        if start:
            out.append("\n")
        seq = samples[start:start + columns]
        relmax = (hi - lo) or 1
        steps = len(_SPARK_CHARSET_FILL) * rows
        row = 0
        while True:
            chars = [" "] * len(seq)
            more = False
            for j, (value, label) in enumerate(seq):
                step = int(((value - lo) * steps) / relmax)
                step = max(0, min(step, steps - 1))
                if row < rows:
                    more = True
                    charidx = step - (rows - row - 1) * len(_SPARK_CHARSET_FILL)
                    if 0 <= charidx < len(_SPARK_CHARSET_FILL):
                        chars[j] = _SPARK_CHARSET_FILL[charidx]
                    elif charidx >= len(_SPARK_CHARSET_FILL):
                        chars[j] = "|"
                else:
                    if row - rows < _SPARK_LABEL_MARGIN_TOP:
                        more = True
                        break
                    k = row - rows - _SPARK_LABEL_MARGIN_TOP
                    if label and len(label) > k:
                        more = True
                        chars[j] = label[k]
            if not more:
                break
            row += 1
            out.append("".join(chars) + "\n")
    return "".join(out)


def latencyCommandGenSparkeline(event, ts):
    """LATENCY GRAPH's text for one event (latencyCommandGenSparkeline)."""
    now = int(time.time())
    samples = []
    for j in range(LATENCY_TS_LEN):
        s = ts.samples[(ts.idx + j) % LATENCY_TS_LEN]
        if s.time == 0:
            continue
        elapsed = now - s.time
        if elapsed < 60:
            label = "%ds" % elapsed
        elif elapsed < 3600:
            label = "%dm" % (elapsed // 60)
        elif elapsed < 86400:
            label = "%dh" % (elapsed // 3600)
        else:
            label = "%dd" % (elapsed // 86400)
        samples.append((s.latency, label))
    lo = min((v for v, _ in samples), default=0)
    hi = max((v for v, _ in samples), default=0)
    head = "%s - high %d ms, low %d ms (all time high %d ms)\n" % (event, hi, lo, ts.max)
    return head + "-" * LATENCY_GRAPH_COLS + "\n" + sparklineRender(samples, LATENCY_GRAPH_COLS, 4)


# -- INFO latencystats and LATENCY HISTOGRAM -----------------------------------
def _bucket_bounds(i):
    """The [low, high] nanoseconds of histogram bucket i (see updateCommandLatencyHistogram)."""
    if i < 16:
        return i, i
    bl = (i >> 3) + 3
    sub = 8 | (i & 7)
    return sub << (bl - 4), ((sub + 1) << (bl - 4)) - 1


def commandLatencyPercentiles(cmd):
    """INFO latencystats's value for a command: p50=..,p99=..,p99.9=.. in µs, or None."""
    h = cmd.latency_histogram
    if h is None:
        return None
    total = sum(h)
    if not total:
        return None
    parts = []
    for p in server.latency_tracking_info_percentiles:
        want = max(1, -(-total * p // 100))
        seen = 0
        value = 0
        for i, n in enumerate(h):
            if n:
                seen += n
                if seen >= want:
                    value = _bucket_bounds(i)[1]
                    break
        parts.append("p%s=%.3f" % (("%f" % p).rstrip("0").rstrip("."), value / 1000.0))
    return ",".join(parts)


def fillCommandCDF(c, h):
    """One command's LATENCY HISTOGRAM entry: calls and cumulative counts per
    power-of-two microsecond bucket (fillCommandCDF)."""
    cdf = {}
    cumulative = 0
    for i, n in enumerate(h):
        if not n:
            continue
        cumulative += n
        hi_us = _bucket_bounds(i)[1] // 1000
        b = 1
        while b < hi_us:
            b <<= 1
        cdf[b] = cumulative
    addReplyMapLen(c, 2)
    addReplyBulkCString(c, "calls")
    addReplyLongLong(c, sum(h))
    addReplyBulkCString(c, "histogram_usec")
    addReplyMapLen(c, len(cdf))
    for b, n in sorted(cdf.items()):
        addReplyLongLong(c, b)
        addReplyLongLong(c, n)


def _histogram_commands(c):
    if len(c.argv) == 2:
        return [cmd for cmd in _each_command() if cmd.latency_histogram]
    out = []
    for name in c.argv[2:]:
        cmd = lookupCommandBySds(name)
        if cmd is None:
            continue
        if cmd.latency_histogram:
            out.append(cmd)
        if cmd.subcommands_dict:
            out.extend(s for s in cmd.subcommands_dict.values() if s.latency_histogram)
    return out


LATENCY_HELP = [
    "DOCTOR",
    "    Return a human readable latency analysis report.",
    "GRAPH <event>",
    "    Return an ASCII latency graph for the <event> class.",
    "HISTORY <event>",
    "    Return time-latency samples for the <event> class.",
    "LATEST",
    "    Return the latest latency samples for all events.",
    "RESET [<event> ...]",
    "    Reset latency data of one or more <event> classes.",
    "    (default: reset all data for all event classes)",
    "HISTOGRAM [COMMAND ...]",
    "    Return a cumulative distribution of latencies in the format of a histogram for the "
    "specified command names.",
    "    If no commands are specified then all histograms are replied.",
]


def latencyCommand(c):
    """LATENCY DOCTOR|GRAPH|HISTORY|LATEST|RESET|HISTOGRAM|HELP (latencyCommand)."""
    argv = c.argv
    argc = len(argv)
    sub = argv[1].lower()
    if sub == b"history" and argc == 3:
        # The event dict hashes and compares C strings (strlen, strcmp).
        ts = server.latency_events.get(c_string(argv[2]).decode("latin-1"))
        if ts is None:
            addReplyArrayLen(c, 0)
            return
        samples = [ts.samples[(ts.idx + j) % LATENCY_TS_LEN] for j in range(LATENCY_TS_LEN)]
        samples = [s for s in samples if s.time]
        addReplyArrayLen(c, len(samples))
        for s in samples:
            addReplyArrayLen(c, 2)
            addReplyLongLong(c, s.time)
            addReplyLongLong(c, s.latency)
    elif sub == b"graph" and argc == 3:
        event = c_string(argv[2]).decode("latin-1")
        ts = server.latency_events.get(event)
        if ts is None:
            addReplyErrorFormat(c, "No samples available for event '%s'", event)
            return
        addReplyVerbatim(c, latencyCommandGenSparkeline(event, ts), "txt")
    elif sub == b"latest" and argc == 2:
        addReplyArrayLen(c, len(server.latency_events))
        for event, ts in server.latency_events.items():
            last = ts.samples[(ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN]
            addReplyArrayLen(c, 4)
            addReplyBulkCString(c, event)
            addReplyLongLong(c, last.time)
            addReplyLongLong(c, last.latency)
            addReplyLongLong(c, ts.max)
    elif sub == b"doctor" and argc == 2:
        addReplyVerbatim(c, createLatencyReport(), "txt")
    elif sub == b"reset" and argc >= 2:
        if argc == 2:
            addReplyLongLong(c, latencyResetEvent(None))
        else:
            addReplyLongLong(c, sum(latencyResetEvent(c_string(a).decode("latin-1")) for a in argv[2:]))
    elif sub == b"histogram" and argc >= 2:
        cmds = _histogram_commands(c)
        addReplyMapLen(c, len(cmds))
        for cmd in cmds:
            addReplyBulkCBuffer(c, cmd.fullname.encode())
            fillCommandCDF(c, cmd.latency_histogram)
    elif sub == b"help" and argc == 2:
        addReplyHelp(c, LATENCY_HELP)
    else:
        addReplySubcommandSyntaxError(c)
