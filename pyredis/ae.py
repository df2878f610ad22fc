"""A simple event-driven programming library: our ae.c.

The reactor that runs the whole server on one thread. It multiplexes two
kinds of events:

* file events: a file descriptor became readable or writable. Each fd has
  one `aeFileEvent` holding a read handler and a write handler; AE_BARRIER
  inverts their order for that fd (write before read), which the
  networking layer uses to fsync an AOF before replying.
* time events: a callback due at a given monotonic time. `serverCron` is
  the one the server registers; its return value is the delay until its next
  run, or AE_NOMORE to be deleted.

Redis picks an I/O multiplexing backend at compile time (ae_epoll.c,
ae_kqueue.c, ae_select.c...). The `selectors` module makes the same choice
at import time, so `selectors.DefaultSelector` stands in for ae_epoll.c and
the `aeApi*` functions below are the thin layer Redis keeps in those files.
We deliberately do not use asyncio: its loop hides exactly the control flow
this project exists to show (aeMain -> aeProcessEvents -> handler), adds
coroutine frames to every stack, and schedules callbacks through its own
queue where Redis calls handlers directly.
"""

import selectors
import time

AE_OK = 0
AE_ERR = -1

AE_NONE = 0          # no events registered
AE_READABLE = 1      # fire when the descriptor is readable
AE_WRITABLE = 2      # fire when the descriptor is writable
AE_BARRIER = 4       # with WRITABLE, never fire the write after the read
                     # in the same iteration: write first, then read

AE_FILE_EVENTS = 1 << 0
AE_TIME_EVENTS = 1 << 1
AE_ALL_EVENTS = AE_FILE_EVENTS | AE_TIME_EVENTS
AE_DONT_WAIT = 1 << 2
AE_CALL_BEFORE_SLEEP = 1 << 3
AE_CALL_AFTER_SLEEP = 1 << 4

AE_NOMORE = -1
AE_DELETED_EVENT_ID = -1

# selectors uses the same bit values for its two events, which lets masks
# pass between the two layers unchanged.
assert selectors.EVENT_READ == AE_READABLE and selectors.EVENT_WRITE == AE_WRITABLE


def getMonotonicUs():
    """Microseconds from a monotonic clock (monotonic.c's getMonotonicUs).

    Time events are scheduled on a monotonic clock so that a wall clock
    change (NTP, an admin's `date -s`) never fires the cron early or late.
    """
    return time.monotonic_ns() // 1000


class aeFileEvent:
    """The handlers registered for one file descriptor."""
    __slots__ = ("mask", "rfileProc", "wfileProc", "clientData")

    def __init__(self):
        self.mask = AE_NONE
        self.rfileProc = None
        self.wfileProc = None
        self.clientData = None


class aeTimeEvent:
    """A timer: when it is due (monotonic us), what to call, and the finalizer."""
    __slots__ = ("id", "when", "timeProc", "finalizerProc", "clientData", "refcount")

    def __init__(self, id, when, timeProc, finalizerProc, clientData):
        self.id = id
        self.when = when
        self.timeProc = timeProc
        self.finalizerProc = finalizerProc
        self.clientData = clientData
        self.refcount = 0


class aeEventLoop:
    """The state of the event loop (C's aeEventLoop).

    `events` maps fd -> aeFileEvent (C indexes a preallocated array by fd;
    a dict gives the same O(1) lookup without the `setsize` resize dance).
    `timeEvents` is a plain list: Redis keeps an unsorted linked list and
    scans it too, because a server has a handful of timers at most.
    """
    __slots__ = ("maxfd", "setsize", "timeEventNextId", "events", "timeEvents", "stop",
                 "apidata", "beforesleep", "aftersleep", "flags")

    def __init__(self, setsize):
        self.maxfd = -1
        self.setsize = setsize
        self.timeEventNextId = 0
        self.events = {}
        self.timeEvents = []
        self.stop = 0
        self.apidata = None
        self.beforesleep = None
        self.aftersleep = None
        self.flags = 0


# ---------------------------------------------------------------------------
# The multiplexing backend (ae_epoll.c's aeApi* functions, over selectors)
# ---------------------------------------------------------------------------
def aeApiCreate(eventLoop):
    """Create the kernel polling object (ae_epoll.c's aeApiCreate)."""
    eventLoop.apidata = selectors.DefaultSelector()
    return 0


def aeApiAddEvent(eventLoop, fd, mask):
    """Start watching `mask` on fd, keeping what was watched already."""
    sel = eventLoop.apidata
    fe = eventLoop.events[fd]
    want = (fe.mask | mask) & (AE_READABLE | AE_WRITABLE)
    if fe.mask & (AE_READABLE | AE_WRITABLE):
        sel.modify(fd, want)
    else:
        sel.register(fd, want)
    return 0


def aeApiDelEvent(eventLoop, fd, delmask):
    """Stop watching `delmask` on fd; unregister it when nothing is left."""
    sel = eventLoop.apidata
    fe = eventLoop.events[fd]
    old = fe.mask & (AE_READABLE | AE_WRITABLE)
    left = old & ~delmask
    if not old:
        return
    if left:
        sel.modify(fd, left)
    else:
        sel.unregister(fd)


def aeApiPoll(eventLoop, timeout_us):
    """Wait for events; returns a list of (fd, mask) that fired.

    `timeout_us` None blocks until an event arrives; 0 polls.
    """
    timeout = None if timeout_us is None else timeout_us / 1000000.0
    try:
        ready = eventLoop.apidata.select(timeout)
    except InterruptedError:      # a signal arrived; the caller loops again
        return []
    # selectors hands back (SelectorKey, events); keep only what ae needs.
    return [(key.fd, ev) for key, ev in ready]


def aeApiName():
    """The name INFO reports as multiplexing_api (ae.c's aeGetApiName)."""
    name = type(selectors.DefaultSelector()).__name__
    return name.replace("Selector", "").lower()


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------
def aeCreateEventLoop(setsize):
    """Allocate an event loop able to watch `setsize` descriptors (aeCreateEventLoop)."""
    eventLoop = aeEventLoop(setsize)
    aeApiCreate(eventLoop)
    return eventLoop


def aeGetSetSize(eventLoop):
    """Return the current set size (aeGetSetSize)."""
    return eventLoop.setsize


def aeResizeSetSize(eventLoop, setsize):
    """Change the maximum number of watched fds (aeResizeSetSize).

    Fails, as in C, when a descriptor at or above the new size is in use.
    """
    if setsize == eventLoop.setsize:
        return AE_OK
    if eventLoop.maxfd >= setsize:
        return AE_ERR
    eventLoop.setsize = setsize
    return AE_OK


def aeSetDontWait(eventLoop, noWait):
    """Make the next poll return at once (aeSetDontWait): used when work is pending."""
    if noWait:
        eventLoop.flags |= AE_DONT_WAIT
    else:
        eventLoop.flags &= ~AE_DONT_WAIT


def aeDeleteEventLoop(eventLoop):
    """Release the loop and its polling object (aeDeleteEventLoop)."""
    eventLoop.apidata.close()
    eventLoop.events.clear()
    eventLoop.timeEvents.clear()


def aeStop(eventLoop):
    """Ask aeMain to return after the current iteration (aeStop)."""
    eventLoop.stop = 1


def aeCreateFileEvent(eventLoop, fd, mask, proc, clientData):
    """Register `proc` for `mask` events on fd (aeCreateFileEvent)."""
    if fd >= eventLoop.setsize:
        return AE_ERR
    fe = eventLoop.events.get(fd)
    if fe is None:
        fe = eventLoop.events[fd] = aeFileEvent()
    aeApiAddEvent(eventLoop, fd, mask)
    fe.mask |= mask
    if mask & AE_READABLE:
        fe.rfileProc = proc
    if mask & AE_WRITABLE:
        fe.wfileProc = proc
    fe.clientData = clientData
    if fd > eventLoop.maxfd:
        eventLoop.maxfd = fd
    return AE_OK


def aeDeleteFileEvent(eventLoop, fd, mask):
    """Unregister `mask` events on fd (aeDeleteFileEvent)."""
    fe = eventLoop.events.get(fd)
    if fe is None or fe.mask == AE_NONE:
        return
    # Removing the write side also drops the barrier: it only orders writes.
    if mask & AE_WRITABLE:
        mask |= AE_BARRIER
    aeApiDelEvent(eventLoop, fd, mask)
    fe.mask &= ~mask
    if fe.mask == AE_NONE:
        del eventLoop.events[fd]
        if fd == eventLoop.maxfd:
            eventLoop.maxfd = max(eventLoop.events, default=-1)


def aeGetFileEvents(eventLoop, fd):
    """Return the mask registered on fd (aeGetFileEvents)."""
    fe = eventLoop.events.get(fd)
    return fe.mask if fe is not None else AE_NONE


def aeGetFileClientData(eventLoop, fd):
    """Return the clientData registered with fd (aeGetFileClientData)."""
    fe = eventLoop.events.get(fd)
    return fe.clientData if fe is not None else None


def aeCreateTimeEvent(eventLoop, milliseconds, proc, clientData, finalizerProc):
    """Schedule `proc` to run in `milliseconds`; returns its id (aeCreateTimeEvent)."""
    id = eventLoop.timeEventNextId
    eventLoop.timeEventNextId += 1
    te = aeTimeEvent(id, getMonotonicUs() + milliseconds * 1000, proc, finalizerProc,
                     clientData)
    # C links new events at the head of its list; order only matters for ties.
    eventLoop.timeEvents.insert(0, te)
    return id


def aeDeleteTimeEvent(eventLoop, id):
    """Mark a time event deleted; processTimeEvents frees it (aeDeleteTimeEvent)."""
    for te in eventLoop.timeEvents:
        if te.id == id:
            te.id = AE_DELETED_EVENT_ID
            return AE_OK
    return AE_ERR


def usUntilEarliestTimer(eventLoop):
    """Microseconds until the first timer is due, or None if there are none."""
    tes = eventLoop.timeEvents
    if not tes:
        return None
    # A server has one timer (serverCron) nearly always: skip min() then.
    earliest = tes[0].when if len(tes) == 1 else min(te.when for te in tes)
    now = getMonotonicUs()
    return 0 if earliest <= now else earliest - now


def processTimeEvents(eventLoop):
    """Run every time event that is due (ae.c's processTimeEvents).

    Deleted events are reaped here rather than in aeDeleteTimeEvent so a
    timer can delete itself (or another) while the list is being walked; an
    event still referenced by a running proc (refcount) is kept until then.
    Events created by a proc during this pass have ids at or above
    `maxId` and wait for the next pass, as in C.
    """
    processed = 0
    maxId = eventLoop.timeEventNextId - 1
    now = getMonotonicUs()
    for te in list(eventLoop.timeEvents):
        if te.id == AE_DELETED_EVENT_ID:
            if te.refcount:
                continue
            eventLoop.timeEvents.remove(te)
            if te.finalizerProc:
                te.finalizerProc(eventLoop, te.clientData)
                now = getMonotonicUs()
            continue
        if te.id > maxId:
            continue
        if te.when <= now:
            id = te.id
            te.refcount += 1
            try:
                retval = te.timeProc(eventLoop, id, te.clientData)
            except Exception:
                # A failing timer must not stop the loop; run it again in 1 s.
                import traceback
                import sys
                sys.stderr.write("time event %d raised:\n%s" % (id, traceback.format_exc()))
                retval = 1000
            te.refcount -= 1
            processed += 1
            now = getMonotonicUs()
            if retval != AE_NOMORE:
                te.when = now + retval * 1000
            else:
                te.id = AE_DELETED_EVENT_ID
    return processed


def aeProcessEvents(eventLoop, flags):
    """Process pending time events, then file events (aeProcessEvents).

    Without AE_DONT_WAIT it sleeps in the poll until a file event fires or
    the nearest timer is due, so an idle server costs no CPU. Returns the
    number of events processed.
    """
    processed = 0
    if not (flags & AE_TIME_EVENTS) and not (flags & AE_FILE_EVENTS):
        return 0

    if eventLoop.maxfd != -1 or ((flags & AE_TIME_EVENTS) and not (flags & AE_DONT_WAIT)):
        if (flags & AE_TIME_EVENTS) and not (flags & AE_DONT_WAIT):
            timeout_us = usUntilEarliestTimer(eventLoop)
        else:
            timeout_us = None
        if (flags & AE_DONT_WAIT) or (eventLoop.flags & AE_DONT_WAIT):
            timeout_us = 0

        if eventLoop.beforesleep is not None and flags & AE_CALL_BEFORE_SLEEP:
            eventLoop.beforesleep(eventLoop)

        # beforesleep may have asked not to wait (pending work it left).
        if eventLoop.flags & AE_DONT_WAIT:
            timeout_us = 0

        fired = aeApiPoll(eventLoop, timeout_us)

        if eventLoop.aftersleep is not None and flags & AE_CALL_AFTER_SLEEP:
            eventLoop.aftersleep(eventLoop)

        events = eventLoop.events
        for fd, mask in fired:
            fe = events.get(fd)
            if fe is None:
                continue           # closed by a handler earlier in this batch
            fired_one = 0
            # Normally the read handler runs first, so a reply produced by
            # this very read can go out in the same iteration. With
            # AE_BARRIER the order is inverted (see the module docstring).
            invert = fe.mask & AE_BARRIER
            if not invert and fe.mask & mask & AE_READABLE:
                fe.rfileProc(eventLoop, fd, fe.clientData, mask)
                fired_one += 1
                fe = events.get(fd)   # the handler may have removed the fd
                if fe is None:
                    processed += 1
                    continue
            if fe.mask & mask & AE_WRITABLE:
                if not fired_one or fe.wfileProc is not fe.rfileProc:
                    fe.wfileProc(eventLoop, fd, fe.clientData, mask)
                    fired_one += 1
            if invert:
                fe = events.get(fd)
                if fe is not None and fe.mask & mask & AE_READABLE:
                    if not fired_one or fe.wfileProc is not fe.rfileProc:
                        fe.rfileProc(eventLoop, fd, fe.clientData, mask)
                        fired_one += 1
            processed += 1

    if flags & AE_TIME_EVENTS:
        processed += processTimeEvents(eventLoop)
    return processed


def aeWait(fd, mask, milliseconds):
    """Wait up to `milliseconds` for fd to become readable/writable (aeWait)."""
    sel = selectors.DefaultSelector()
    try:
        sel.register(fd, mask & (AE_READABLE | AE_WRITABLE))
        ready = sel.select(milliseconds / 1000.0)
        return ready[0][1] if ready else 0
    finally:
        sel.close()


def aeMain(eventLoop):
    """Run the loop until aeStop (aeMain)."""
    eventLoop.stop = 0
    while not eventLoop.stop:
        aeProcessEvents(eventLoop, AE_ALL_EVENTS | AE_CALL_BEFORE_SLEEP | AE_CALL_AFTER_SLEEP)


def aeGetApiName():
    """Name of the polling backend (aeGetApiName)."""
    return aeApiName()


def aeSetBeforeSleepProc(eventLoop, beforesleep):
    """Install the hook run before each poll (aeSetBeforeSleepProc)."""
    eventLoop.beforesleep = beforesleep


def aeSetAfterSleepProc(eventLoop, aftersleep):
    """Install the hook run after each poll (aeSetAfterSleepProc)."""
    eventLoop.aftersleep = aftersleep
