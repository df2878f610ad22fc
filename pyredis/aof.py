"""The append-only file as Redis 7.0 writes it: a manifest, a base, incr files (aof.c).

Layout, inside `dir/appenddirname` (appendonlydir by default)::

    appendonly.aof.manifest          which files make up the dataset, in order
    appendonly.aof.1.base.rdb        a snapshot (an RDB with aof-base:1, or
                                     commands in appendonly.aof.1.base.aof)
    appendonly.aof.1.incr.aof        every write since that snapshot, as RESP

Write path: call() -> alsoPropagate -> propagatePendingCommands ->
propagateNow -> feedAppendOnlyFile (appends the command to server.aof_buf)
-> beforeSleep -> flushAppendOnlyFile (one write(2) to the current incr
file, then fsync as appendfsync says) -> only then are replies sent.

Rewrite: rewriteAppendOnlyFileBackground first opens a new incr file in the
parent, so the writes made while the child works land in a file of their
own and no rewrite buffer is needed (the 7.0 design); the forked child
writes a new base; backgroundRewriteDoneHandler renames it into place and
records both in the manifest, turning the older files into history that
aofDelHistoryFiles removes. docs/aof.md walks through both paths.

Deliberate differences from Redis, each repeated where it applies: the
fsync for appendfsync everysec runs inline, at most once a second, where
Redis hands it to a bio thread (pyredis has no threads on the data path);
history files are unlinked inline instead of by the lazyfree thread; an
AOF is read into memory whole before it is replayed.
"""

import errno as _errno
import os
import signal
import sys
import time

from .server_h import (C_ERR, C_OK, CHILD_TYPE_AOF, CLIENT_DENY_BLOCKING, CLIENT_MULTI,
                       LL_DEBUG, LL_NOTICE, LL_VERBOSE, LL_WARNING, PROPAGATE_AOF,
                       server, shared)
from .util import (c_string, dirCreateIfMissing, dirExists, fileExist, makePath, pathIsBaseName,
                   sdscatrepr, sdsneedsrepr, sdssplitargs)

AOF_OFF = 0               # appendonly no
AOF_ON = 1                # appending to the current incr file
AOF_WAIT_REWRITE = 2      # turned on at run time; the first rewrite has not finished

# loadSingleAppendOnlyFile / loadAppendOnlyFiles results
AOF_OK = 0
AOF_NOT_EXIST = 1
AOF_EMPTY = 2
AOF_OPEN_ERR = 3
AOF_FAILED = 4
AOF_TRUNCATED = 5

AOF_FSYNC_NO = 0
AOF_FSYNC_ALWAYS = 1
AOF_FSYNC_EVERYSEC = 2

AOF_REWRITE_ITEMS_PER_CMD = 64
AOF_ANNOTATION_LINE_MAX_LEN = 1024
AOF_WRITE_LOG_ERROR_RATE = 30          # seconds between two "Error writing" log lines
AOF_REWRITE_LIMITE_THRESHOLD = 3
AOF_REWRITE_LIMITE_MAX_MINUTES = 60
MANIFEST_MAX_LINE = 1024

AOF_FILE_TYPE_BASE = "b"
AOF_FILE_TYPE_HIST = "h"
AOF_FILE_TYPE_INCR = "i"

BASE_FILE_SUFFIX = ".base"
INCR_FILE_SUFFIX = ".incr"
RDB_FORMAT_SUFFIX = ".rdb"
AOF_FORMAT_SUFFIX = ".aof"
MANIFEST_NAME_SUFFIX = ".manifest"
TEMP_FILE_NAME_PREFIX = "temp-"

CLIENT_ID_AOF = (1 << 64) - 1

_SELECT_HDR = b"*2\r\n$6\r\nSELECT\r\n"


def serverLog(level, fmt, *args):
    from .server import serverLog as _log
    _log(level, fmt, *args)


def _strerror(e):
    """The C strerror text of an OSError (what Redis logs), e.g. 'No such file or directory'."""
    if isinstance(e, OSError) and e.errno:
        return os.strerror(e.errno)
    return str(e)


def _exit_fatal():
    """exit(1) as Redis does on a fatal AOF error at start-up, after the log is out."""
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os._exit(1)


# ===========================================================================
# The manifest
# ===========================================================================
class aofInfo:
    """One manifest line: a file's name, sequence number and type (aofInfo)."""
    __slots__ = ("file_name", "file_seq", "file_type")

    def __init__(self, file_name=None, file_seq=0, file_type=None):
        self.file_name = file_name
        self.file_seq = file_seq
        self.file_type = file_type


class aofManifest:
    """The files that make up the dataset (aofManifest): at most one base, the
    incr files in order, and history files waiting to be deleted."""
    __slots__ = ("base_aof_info", "incr_aof_list", "history_aof_list",
                 "curr_base_file_seq", "curr_incr_file_seq", "dirty")

    def __init__(self):
        self.base_aof_info = None
        self.incr_aof_list = []
        self.history_aof_list = []
        self.curr_base_file_seq = 0
        self.curr_incr_file_seq = 0
        self.dirty = 0


def aofInfoDup(orig):
    """A copy of one manifest entry (aofInfoDup)."""
    return aofInfo(orig.file_name, orig.file_seq, orig.file_type)


def aofInfoFormat(buf, ai):
    """Append ai's manifest line, "file <name> seq <n> type <t>\\n" (aofInfoFormat).
    A name with spaces or odd bytes is quoted, so sdssplitargs reads it back."""
    name = ai.file_name
    if sdsneedsrepr(name):
        name = sdscatrepr(name.encode("utf-8", "surrogateescape")).decode(
            "utf-8", "surrogateescape")
    return buf + "file %s seq %d type %s\n" % (name, ai.file_seq, ai.file_type)


def aofManifestCreate():
    """An empty manifest (aofManifestCreate)."""
    return aofManifest()


def aofManifestDup(orig):
    """A deep copy to modify, swapped in only once every step succeeded (aofManifestDup)."""
    am = aofManifest()
    am.curr_base_file_seq = orig.curr_base_file_seq
    am.curr_incr_file_seq = orig.curr_incr_file_seq
    am.dirty = orig.dirty
    if orig.base_aof_info is not None:
        am.base_aof_info = aofInfoDup(orig.base_aof_info)
    am.incr_aof_list = [aofInfoDup(ai) for ai in orig.incr_aof_list]
    am.history_aof_list = [aofInfoDup(ai) for ai in orig.history_aof_list]
    return am


def aofManifestFreeAndUpdate(am):
    """Make `am` the server's manifest (aofManifestFreeAndUpdate)."""
    server.aof_manifest = am


def getAofManifestFileName():
    return server.aof_filename + MANIFEST_NAME_SUFFIX


def getTempAofManifestFileName():
    return TEMP_FILE_NAME_PREFIX + server.aof_filename + MANIFEST_NAME_SUFFIX


def getAofManifestAsString(am):
    """The manifest's text: the base first, then history, then incr files
    (getAofManifestAsString)."""
    buf = ""
    if am.base_aof_info is not None:
        buf = aofInfoFormat(buf, am.base_aof_info)
    for ai in am.history_aof_list:
        buf = aofInfoFormat(buf, ai)
    for ai in am.incr_aof_list:
        buf = aofInfoFormat(buf, ai)
    return buf


def aofLoadManifestFromDisk():
    """Read dir/appenddirname/<appendfilename>.manifest into server.aof_manifest
    at start-up (aofLoadManifestFromDisk). A missing directory or manifest is
    not an error: it is how an old single-file AOF is recognised."""
    server.aof_manifest = aofManifestCreate()
    if not dirExists(server.aof_dirname):
        serverLog(LL_DEBUG, "The AOF directory %s doesn't exist", server.aof_dirname)
        return
    am_name = getAofManifestFileName()
    am_filepath = makePath(server.aof_dirname, am_name)
    if not fileExist(am_filepath):
        serverLog(LL_DEBUG, "The AOF manifest file %s doesn't exist", am_name)
        return
    am = aofLoadManifestFromFile(am_filepath)
    if am is not None:
        aofManifestFreeAndUpdate(am)


def _c_atoll(b):
    """C's atoll: optional spaces and sign, then digits; 0 when there are none."""
    b = b.lstrip(b" \t\n\v\f\r")
    i = 1 if b[:1] in (b"+", b"-") else 0
    j = i
    while j < len(b) and 48 <= b[j] <= 57:
        j += 1
    if j == i:
        return 0
    return int(b[:j])


def aofLoadManifestFromFile(am_filepath):
    """Parse a manifest file strictly; on any error log where and why and exit(1)
    (aofLoadManifestFromFile). Lines are read as fgets reads them, at most
    1024 bytes each, so an over-long line is reported as such."""
    try:
        with open(am_filepath, "rb") as f:
            data = f.read()
    except OSError as e:
        serverLog(LL_WARNING, "Fatal error: can't open the AOF manifest file %s for reading: %s",
                  am_filepath, _strerror(e))
        _exit_fatal()
    am = aofManifestCreate()
    maxseq = 0
    linenum = 0
    pos = 0
    err = None
    line = None
    while True:
        if pos >= len(data):
            if linenum == 0:
                err = "Found an empty AOF manifest"
            break
        nl = data.find(b"\n", pos, pos + MANIFEST_MAX_LINE)
        end = nl + 1 if nl != -1 else min(len(data), pos + MANIFEST_MAX_LINE)
        buf = data[pos:end]
        pos = end
        linenum += 1
        if buf[:1] == b"#":
            continue
        if b"\n" not in buf:
            err = "The AOF manifest file contains too long line"
            break
        line = buf.strip(b" \t\r\n")
        if not line:
            err = "Invalid AOF manifest file format"
            break
        argv = sdssplitargs(line)
        # More than 6 fields is fine: a later version may add keys.
        if argv is None or len(argv) < 6 or len(argv) % 2:
            err = "Invalid AOF manifest file format"
            break
        ai = aofInfo()
        for i in range(0, len(argv), 2):
            k = argv[i].lower()
            if k == b"file":
                ai.file_name = argv[i + 1].decode("utf-8", "surrogateescape")
                if not pathIsBaseName(ai.file_name):
                    err = "File can't be a path, just a filename"
                    break
            elif k == b"seq":
                ai.file_seq = _c_atoll(argv[i + 1])
            elif k == b"type":
                ai.file_type = argv[i + 1][:1].decode("latin-1") or None
        if err:
            break
        if not ai.file_name or not ai.file_seq or not ai.file_type:
            err = "Invalid AOF manifest file format"
            break
        if ai.file_type == AOF_FILE_TYPE_BASE:
            if am.base_aof_info is not None:
                err = "Found duplicate base file information"
                break
            am.base_aof_info = ai
            am.curr_base_file_seq = ai.file_seq
        elif ai.file_type == AOF_FILE_TYPE_HIST:
            am.history_aof_list.append(ai)
        elif ai.file_type == AOF_FILE_TYPE_INCR:
            if ai.file_seq <= maxseq:
                err = "Found a non-monotonic sequence number"
                break
            am.incr_aof_list.append(ai)
            am.curr_incr_file_seq = ai.file_seq
            maxseq = ai.file_seq
        else:
            err = "Unknown AOF file type"
            break
        line = None
    if err is None:
        return am
    serverLog(LL_WARNING, "\n*** FATAL AOF MANIFEST FILE ERROR ***\n")
    if line is not None:
        serverLog(LL_WARNING, "Reading the manifest file, at line %d\n", linenum)
        serverLog(LL_WARNING, ">>> '%s'\n", line.decode("utf-8", "replace"))
    serverLog(LL_WARNING, "%s\n", err)
    _exit_fatal()


def getNewBaseFileNameAndMarkPreAsHistory(am):
    """Name the next base file, <appendfilename>.<seq>.base.rdb (or .aof without the
    RDB preamble), and turn the current base into history (getNewBaseFileNameAndMarkPreAsHistory)."""
    if am.base_aof_info is not None:
        am.base_aof_info.file_type = AOF_FILE_TYPE_HIST
        am.history_aof_list.insert(0, am.base_aof_info)
    suffix = RDB_FORMAT_SUFFIX if server.aof_use_rdb_preamble else AOF_FORMAT_SUFFIX
    am.curr_base_file_seq += 1
    ai = aofInfo("%s.%d%s%s" % (server.aof_filename, am.curr_base_file_seq, BASE_FILE_SUFFIX,
                                suffix), am.curr_base_file_seq, AOF_FILE_TYPE_BASE)
    am.base_aof_info = ai
    am.dirty = 1
    return ai.file_name


def getNewIncrAofName(am):
    """Add the next incr file, <appendfilename>.<seq>.incr.aof, to the manifest and
    return its name (getNewIncrAofName)."""
    am.curr_incr_file_seq += 1
    ai = aofInfo("%s.%d%s%s" % (server.aof_filename, am.curr_incr_file_seq, INCR_FILE_SUFFIX,
                                AOF_FORMAT_SUFFIX), am.curr_incr_file_seq, AOF_FILE_TYPE_INCR)
    am.incr_aof_list.append(ai)
    am.dirty = 1
    return ai.file_name


def getTempIncrAofName():
    """temp-<appendfilename>.incr: where writes go while AOF waits for its first rewrite."""
    return TEMP_FILE_NAME_PREFIX + server.aof_filename + INCR_FILE_SUFFIX


def getLastIncrAofName(am):
    """The incr file to append to: the last one, or a new one if there is none
    (getLastIncrAofName)."""
    if not am.incr_aof_list:
        return getNewIncrAofName(am)
    return am.incr_aof_list[-1].file_name


def markRewrittenIncrAofAsHistory(am):
    """After a rewrite, every incr file but the one being written is covered by
    the new base: move them to history (markRewrittenIncrAofAsHistory)."""
    if not am.incr_aof_list:
        return
    # Walk from the tail as C does, so history ends up in file order.
    keep = []
    items = list(am.incr_aof_list)
    if server.aof_fd != -1:
        keep = [items.pop()]
    for ai in reversed(items):
        hai = aofInfoDup(ai)
        hai.file_type = AOF_FILE_TYPE_HIST
        am.history_aof_list.insert(0, hai)
    am.incr_aof_list = keep
    am.dirty = 1


def writeAofManifestFile(buf):
    """Write the manifest text through temp-<name>.manifest: write, fsync,
    rename over the old one, fsync the directory (writeAofManifestFile). A
    crash at any point leaves either the old or the new manifest whole."""
    from .rdb import fsyncFileDir
    am_name = getAofManifestFileName()
    am_filepath = makePath(server.aof_dirname, am_name)
    tmp_am_name = getTempAofManifestFileName()
    tmp_am_filepath = makePath(server.aof_dirname, tmp_am_name)
    try:
        fd = os.open(tmp_am_filepath, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
    except OSError as e:
        serverLog(LL_WARNING, "Can't open the AOF manifest file %s: %s", tmp_am_name,
                  _strerror(e))
        return C_ERR
    try:
        data = memoryview(buf.encode("utf-8", "surrogateescape"))
        while data:
            try:
                n = os.write(fd, data)
            except InterruptedError:
                continue
            except OSError as e:
                serverLog(LL_WARNING, "Error trying to write the temporary AOF manifest file "
                          "%s: %s", tmp_am_name, _strerror(e))
                return C_ERR
            data = data[n:]
        try:
            os.fdatasync(fd)
        except OSError as e:
            serverLog(LL_WARNING, "Fail to fsync the temp AOF file %s: %s.", tmp_am_name,
                      _strerror(e))
            return C_ERR
        try:
            os.rename(tmp_am_filepath, am_filepath)
        except OSError as e:
            serverLog(LL_WARNING, "Error trying to rename the temporary AOF manifest file %s "
                      "into %s: %s", tmp_am_name, am_name, _strerror(e))
            return C_ERR
        if fsyncFileDir(am_filepath) == -1:
            serverLog(LL_WARNING, "Fail to fsync AOF directory %s.", am_filepath)
            return C_ERR
    finally:
        os.close(fd)
    return C_OK


def persistAofManifest(am):
    """Write the manifest if it changed since it was last written (persistAofManifest)."""
    if not am.dirty:
        return C_OK
    ret = writeAofManifestFile(getAofManifestAsString(am))
    if ret == C_OK:
        am.dirty = 0
    return ret


def aofUpgradePrepare(am):
    """Adopt a pre-7.0 single appendonly.aof: create the directory, record the old
    file as base seq 1 in a new manifest, then move the file in (aofUpgradePrepare).
    The order makes a crash half way harmless: the next start simply redoes it."""
    rc, e = dirCreateIfMissing(server.aof_dirname)
    if rc == -1:
        serverLog(LL_WARNING, "Can't open or create append-only dir %s: %s",
                  server.aof_dirname, _strerror(e))
        _exit_fatal()
    am.base_aof_info = aofInfo(server.aof_filename, 1, AOF_FILE_TYPE_BASE)
    am.curr_base_file_seq = 1
    am.dirty = 1
    if persistAofManifest(am) != C_OK:
        _exit_fatal()
    aof_filepath = makePath(server.aof_dirname, server.aof_filename)
    try:
        os.rename(server.aof_filename, aof_filepath)
    except OSError as e:
        serverLog(LL_WARNING, "Error trying to move the old AOF file %s into dir %s: %s",
                  server.aof_filename, server.aof_dirname, _strerror(e))
        _exit_fatal()
    serverLog(LL_NOTICE, "Successfully migrated an old-style AOF file (%s) into the AOF "
              "directory (%s).", server.aof_filename, server.aof_dirname)


def bg_unlink(path):
    """Remove a file (bg_unlink). Redis gives the unlink of a possibly huge file to
    its lazyfree thread; pyredis has none and unlinks inline."""
    try:
        os.unlink(path)
    except OSError:
        pass


def aofDelHistoryFiles():
    """Delete the history files and drop them from the manifest, unless
    aof-disable-auto-gc is set (aofDelHistoryFiles). The log line keeps Redis's
    words "in the background" although the unlink is inline here (bg_unlink)."""
    am = getattr(server, "aof_manifest", None)
    if am is None or server.aof_disable_auto_gc or not am.history_aof_list:
        return C_OK
    for ai in am.history_aof_list:
        serverLog(LL_NOTICE, "Removing the history file %s in the background", ai.file_name)
        bg_unlink(makePath(server.aof_dirname, ai.file_name))
    am.history_aof_list = []
    am.dirty = 1
    return persistAofManifest(am)


def aofDelTempIncrAofFile():
    """Remove the temp incr file of a first rewrite that failed (aofDelTempIncrAofFile)."""
    name = getTempIncrAofName()
    serverLog(LL_NOTICE, "Removing the temp incr aof file %s in the background", name)
    bg_unlink(makePath(server.aof_dirname, name))


def aofOpenIfNeededOnServerStart():
    """After loading at start-up with appendonly yes: create the directory, write
    a base file now if there is no file at all (an empty dataset or a first
    start), open the last incr file for appending (creating it if needed) and
    write the manifest (aofOpenIfNeededOnServerStart). Any failure exits."""
    if server.aof_state != AOF_ON:
        return
    rc, e = dirCreateIfMissing(server.aof_dirname)
    if rc == -1:
        serverLog(LL_WARNING, "Can't open or create append-only dir %s: %s",
                  server.aof_dirname, _strerror(e))
        _exit_fatal()
    am = server.aof_manifest
    incr_aof_len = len(am.incr_aof_list)
    if am.base_aof_info is None and not incr_aof_len:
        base_name = getNewBaseFileNameAndMarkPreAsHistory(am)
        if rewriteAppendOnlyFile(makePath(server.aof_dirname, base_name)) != C_OK:
            _exit_fatal()
        serverLog(LL_NOTICE, "Creating AOF base file %s on server start", base_name)
    aof_name = getLastIncrAofName(am)
    try:
        server.aof_fd = os.open(makePath(server.aof_dirname, aof_name),
                                os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        serverLog(LL_WARNING, "Can't open the append-only file %s: %s", aof_name, _strerror(e))
        _exit_fatal()
    if persistAofManifest(am) != C_OK:
        _exit_fatal()
    server.aof_last_incr_size = getAppendOnlyFileSize(aof_name)[0]
    server.aof_last_incr_fsync_offset = server.aof_last_incr_size
    if incr_aof_len:
        serverLog(LL_NOTICE, "Opening AOF incr file %s on server start", aof_name)
    else:
        serverLog(LL_NOTICE, "Creating AOF incr file %s on server start", aof_name)


def aofFileExist(filename):
    return fileExist(makePath(server.aof_dirname, filename))


def openNewIncrAofForAppend():
    """Switch appending to a new incr file, recorded in the manifest before it is
    used (openNewIncrAofForAppend). While AOF waits for its first rewrite the
    file is temp-<name>.incr instead, adopted by backgroundRewriteDoneHandler.
    All or nothing: on failure the old file and manifest stay in use."""
    if server.aof_state == AOF_OFF:
        return C_OK
    temp_am = None
    if server.aof_state == AOF_WAIT_REWRITE:
        new_aof_name = getTempIncrAofName()
    else:
        temp_am = aofManifestDup(server.aof_manifest)
        new_aof_name = getNewIncrAofName(temp_am)
    try:
        newfd = os.open(makePath(server.aof_dirname, new_aof_name),
                        os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
    except OSError as e:
        serverLog(LL_WARNING, "Can't open the append-only file %s: %s", new_aof_name,
                  _strerror(e))
        return C_ERR
    if temp_am is not None and persistAofManifest(temp_am) == C_ERR:
        os.close(newfd)
        return C_ERR
    serverLog(LL_NOTICE, "Creating AOF incr file %s on background rewrite", new_aof_name)
    if server.aof_fd != -1:
        aof_background_fsync_and_close(server.aof_fd)
        server.aof_last_fsync = server.unixtime
    server.aof_fd = newfd
    server.aof_last_incr_size = 0
    server.aof_last_incr_fsync_offset = 0
    if temp_am is not None:
        aofManifestFreeAndUpdate(temp_am)
    return C_OK


# aofRewriteLimited's C statics.
_rewrite_limit = {"next_delay_minutes": 0, "next_rewrite_time": 0}


def aofRewriteLimited():
    """After 3 failed rewrites in a row, automatic rewrites wait 1, 2, 4 ... up to
    60 minutes between attempts (aofRewriteLimited), so a failing disk does not
    fill the directory with tiny incr files. BGREWRITEAOF is never limited."""
    st = _rewrite_limit
    if server.stat_aofrw_consecutive_failures < AOF_REWRITE_LIMITE_THRESHOLD:
        st["next_delay_minutes"] = 0
        st["next_rewrite_time"] = 0
        return 0
    if st["next_rewrite_time"] != 0:
        if server.unixtime < st["next_rewrite_time"]:
            return 1
        st["next_rewrite_time"] = 0
        return 0
    st["next_delay_minutes"] = 1 if st["next_delay_minutes"] == 0 else \
        min(st["next_delay_minutes"] * 2, AOF_REWRITE_LIMITE_MAX_MINUTES)
    st["next_rewrite_time"] = server.unixtime + st["next_delay_minutes"] * 60
    serverLog(LL_WARNING, "Background AOF rewrite has repeatedly failed and triggered the "
              "limit, will retry in %d minutes", st["next_delay_minutes"])
    return 1


# ===========================================================================
# Writing
# ===========================================================================
def aofFsyncInProgress():
    """Is a background fsync running (aofFsyncInProgress)? Never here: the
    everysec fsync is done inline (see aof_background_fsync)."""
    return 0


def aof_background_fsync(fd):
    """fsync the AOF for appendfsync everysec (aof_background_fsync).

    Deliberate difference: Redis queues this on a bio thread so the event
    loop never waits for the disk. pyredis keeps the data path single
    threaded and fsyncs inline instead, at most once a second as everysec
    promises; the cost is that a slow disk stalls clients for that fsync.
    """
    try:
        os.fdatasync(fd)
    except OSError as e:
        # The bio thread records the error for INFO and MISCONF
        # (aof_bio_fsync_status); we put it where the write errors go.
        serverLog(LL_WARNING, "Fail to fsync the AOF file: %s", _strerror(e))
        server.aof_last_write_status = C_ERR
        server.aof_last_write_errno = _strerror(e)


def aof_background_fsync_and_close(fd):
    """fsync then close an incr file we stopped appending to (aof_background_fsync_and_close;
    inline for the reason aof_background_fsync gives)."""
    try:
        os.fdatasync(fd)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def aofWrite(fd, buf):
    """write(2) the whole buffer, retrying short writes and EINTR (aofWrite).
    Returns bytes written; (-1, error) when nothing could be written."""
    view = memoryview(buf)
    total = 0
    while view:
        try:
            n = os.write(fd, view)
        except InterruptedError:
            continue
        except OSError as e:
            return (total, e) if total else (-1, e)
        total += n
        view = view[n:]
    return total, None


def flushAppendOnlyFile(force):
    """Write server.aof_buf to the incr file, then fsync as appendfsync says
    (flushAppendOnlyFile). Called from beforeSleep, before any reply goes out,
    so a client never sees an acknowledgement for a write not yet in the file.

    always: fsync now, exit on error (the reply cannot be taken back);
    everysec: fsync if the last one was over a second ago (inline here, see
    aof_background_fsync); no: leave it to the kernel. A failed write keeps
    the data in the buffer and sets aof_last_write_status, which makes
    processCommand refuse writes with -MISCONF until a retry (serverCron,
    every second) succeeds.
    """
    from .latency import latencyAddSampleIfNeeded
    from .server import hasActiveChildProcess
    buf = server.aof_buf
    sync_in_progress = 0
    if not buf:
        # Nothing new, but a write may still be waiting for its fsync: the
        # everysec fsync is only attempted on writes, so without this the
        # last second of an idle server would stay in the page cache.
        if server.aof_fsync == AOF_FSYNC_EVERYSEC and \
                server.aof_last_incr_fsync_offset != server.aof_last_incr_size and \
                server.unixtime > server.aof_last_fsync:
            return _aof_try_fsync(sync_in_progress)
        if server.aof_fsync == AOF_FSYNC_ALWAYS and \
                server.aof_last_incr_fsync_offset != server.aof_last_incr_size:
            return _aof_try_fsync(sync_in_progress)
        return
    if server.aof_fsync == AOF_FSYNC_EVERYSEC:
        sync_in_progress = aofFsyncInProgress()
    if server.aof_fsync == AOF_FSYNC_EVERYSEC and not force and sync_in_progress:
        # Never true here (no background fsync), kept for the shape of the
        # C function: postpone the write up to 2 s behind a busy fsync.
        if server.aof_flush_postponed_start == 0:
            server.aof_flush_postponed_start = server.unixtime
            return
        if server.unixtime - server.aof_flush_postponed_start < 2:
            return
        server.aof_delayed_fsync += 1
        serverLog(LL_NOTICE, "Asynchronous AOF fsync is taking too long (disk is busy?). Writing "
                  "the AOF buffer without waiting for fsync to complete, this may slow down "
                  "Redis.")
    if server.aof_flush_sleep and buf:
        time.sleep(server.aof_flush_sleep / 1e6)
    start = time.monotonic_ns()
    nwritten, err = aofWrite(server.aof_fd, buf)
    latency = (time.monotonic_ns() - start) // 1000000
    if sync_in_progress:
        latencyAddSampleIfNeeded("aof-write-pending-fsync", latency)
    elif hasActiveChildProcess():
        latencyAddSampleIfNeeded("aof-write-active-child", latency)
    else:
        latencyAddSampleIfNeeded("aof-write-alone", latency)
    latencyAddSampleIfNeeded("aof-write", latency)
    server.aof_flush_postponed_start = 0

    if nwritten != len(buf):
        can_log = 0
        if server.unixtime - _write_error_log[0] > AOF_WRITE_LOG_ERROR_RATE:
            can_log = 1
            _write_error_log[0] = server.unixtime
        if nwritten == -1:
            if can_log:
                serverLog(LL_WARNING, "Error writing to the AOF file: %s", _strerror(err))
            server.aof_last_write_errno = _strerror(err)
        else:
            if can_log:
                serverLog(LL_WARNING, "Short write while writing to the AOF file: (nwritten=%d, "
                          "expected=%d)", nwritten, len(buf))
            try:
                os.ftruncate(server.aof_fd, server.aof_last_incr_size)
            except OSError as e:
                if can_log:
                    serverLog(LL_WARNING, "Could not remove short write from the append-only "
                              "file.  Redis may refuse to load the AOF the next time it starts.  "
                              "ftruncate: %s", _strerror(e))
            else:
                # Nothing partial is left in the file: retry the whole buffer.
                nwritten = -1
            server.aof_last_write_errno = os.strerror(_errno.ENOSPC)
        if server.aof_fsync == AOF_FSYNC_ALWAYS:
            # The reply is already built and the dataset changed: with
            # always, the only honest outcome is to stop.
            serverLog(LL_WARNING, "Can't recover from AOF write error when the AOF fsync "
                      "policy is 'always'. Exiting...")
            _exit_fatal()
        server.aof_last_write_status = C_ERR
        if nwritten > 0:
            server.aof_current_size += nwritten
            server.aof_last_incr_size += nwritten
            del buf[:nwritten]
        return
    if server.aof_last_write_status == C_ERR:
        serverLog(LL_WARNING, "AOF write error looks solved, Redis can write again.")
        server.aof_last_write_status = C_OK
    server.aof_current_size += nwritten
    server.aof_last_incr_size += nwritten
    server.aof_buf = bytearray()
    _aof_try_fsync(sync_in_progress)


_write_error_log = [0]      # flushAppendOnlyFile's static last_write_error_log


def _aof_try_fsync(sync_in_progress):
    """The try_fsync tail of flushAppendOnlyFile (a goto label in C)."""
    from .latency import latencyAddSampleIfNeeded
    from .server import hasActiveChildProcess
    if server.aof_no_fsync_on_rewrite and hasActiveChildProcess():
        return
    if server.aof_fsync == AOF_FSYNC_ALWAYS:
        start = time.monotonic_ns()
        try:
            os.fdatasync(server.aof_fd)
        except OSError as e:
            serverLog(LL_WARNING, "Can't persist AOF for fsync error when the AOF fsync policy "
                      "is 'always': %s. Exiting...", _strerror(e))
            _exit_fatal()
        latencyAddSampleIfNeeded("aof-fsync-always", (time.monotonic_ns() - start) // 1000000)
        server.aof_last_incr_fsync_offset = server.aof_last_incr_size
        server.aof_last_fsync = server.unixtime
    elif server.aof_fsync == AOF_FSYNC_EVERYSEC and server.unixtime > server.aof_last_fsync:
        if not sync_in_progress:
            aof_background_fsync(server.aof_fd)
            server.aof_last_incr_fsync_offset = server.aof_last_incr_size
        server.aof_last_fsync = server.unixtime


def catAppendOnlyGenericCommand(dst, argv):
    """Append argv to `dst` (a bytearray) as a RESP multibulk (catAppendOnlyGenericCommand)."""
    dst += b"*%d\r\n" % len(argv)
    for a in argv:
        if type(a) is int:
            a = b"%d" % a
        dst += b"$%d\r\n" % len(a)
        dst += a
        dst += b"\r\n"
    return dst


def genAofTimestampAnnotationIfNeeded(force):
    """"#TS:<unix time>\\r\\n" when the second changed since the last one written,
    or always with `force` (genAofTimestampAnnotationIfNeeded); None otherwise."""
    if force or server.aof_cur_timestamp < server.unixtime:
        server.aof_cur_timestamp = int(time.time()) if force else server.unixtime
        return b"#TS:%d\r\n" % server.aof_cur_timestamp
    return None


def feedAppendOnlyFile(dictid, argv):
    """Append one propagated command to server.aof_buf (feedAppendOnlyFile): a
    timestamp annotation if enabled and due, a SELECT when the db differs from
    the last command's, then the command itself. propagateNow calls this as
    the PROPAGATE_AOF hook; flushAppendOnlyFile writes the buffer out.

    While AOF waits for its first rewrite, the bytes are kept only if that
    rewrite's child is running (they go to the temp incr file); otherwise
    they are dropped, as the rewrite about to start will include them.
    """
    buf = bytearray()
    if server.aof_timestamp_enabled:
        ts = genAofTimestampAnnotationIfNeeded(0)
        if ts is not None:
            buf += ts
    if dictid != server.aof_selected_db:
        seldb = b"%d" % dictid
        buf += b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%s\r\n" % (len(seldb), seldb)
        server.aof_selected_db = dictid
    catAppendOnlyGenericCommand(buf, argv)
    if server.aof_state == AOF_ON or \
            (server.aof_state == AOF_WAIT_REWRITE and server.child_type == CHILD_TYPE_AOF):
        server.aof_buf += buf


def _aof_propagate(dbid, argv):
    """The propagate hook: propagateNow feeds the AOF only while it is on (shouldPropagate)."""
    if server.aof_state != AOF_OFF:
        feedAppendOnlyFile(dbid, argv)


def _set_propagate_hook(on):
    """Keep our entry in server.propagate_hooks exactly while AOF is on: call()
    skips all propagation work when that list is empty."""
    entry = (PROPAGATE_AOF, _aof_propagate)
    hooks = server.propagate_hooks
    if on and entry not in hooks:
        hooks.append(entry)
    elif not on and entry in hooks:
        hooks.remove(entry)


# ===========================================================================
# Turning AOF on and off at run time
# ===========================================================================
def killAppendOnlyChild():
    """Kill a running rewrite child, wait for it, remove its temp files (killAppendOnlyChild)."""
    if server.child_type != CHILD_TYPE_AOF:
        return
    serverLog(LL_NOTICE, "Killing running AOF rewrite child: %d", server.child_pid)
    pid = server.child_pid
    try:
        os.kill(pid, signal.SIGUSR1)
        os.waitpid(pid, 0)
    except OSError:
        pass
    aofRemoveTempFile(pid)
    from .rdb import closeChildInfoPipe
    closeChildInfoPipe()
    server.child_pid = -1
    server.child_type = 0
    server.aof_child_pid = -1
    server.stat_current_save_keys_processed = 0
    server.stat_current_save_keys_total = 0
    server.aof_rewrite_time_start = -1


def stopAppendOnly():
    """CONFIG SET appendonly no: flush and fsync what is buffered, close the file,
    stop any rewrite (stopAppendOnly). The files stay where they are."""
    flushAppendOnlyFile(1)
    try:
        os.fdatasync(server.aof_fd)
        server.aof_last_fsync = server.unixtime
    except OSError as e:
        serverLog(LL_WARNING, "Fail to fsync the AOF file: %s", _strerror(e))
    try:
        os.close(server.aof_fd)
    except OSError:
        pass
    server.aof_fd = -1
    server.aof_selected_db = -1
    server.aof_state = AOF_OFF
    _set_propagate_hook(False)
    server.aof_rewrite_scheduled = 0
    server.aof_last_incr_size = 0
    server.aof_last_incr_fsync_offset = 0
    killAppendOnlyChild()
    server.aof_buf = bytearray()


def startAppendOnly():
    """CONFIG SET appendonly yes: start a rewrite that writes the first base
    (startAppendOnly). Until it finishes the state is AOF_WAIT_REWRITE and
    writes go to a temp incr file; if another child is running, or we are
    inside MULTI, the rewrite is scheduled for the cron instead."""
    from .server import hasActiveChildProcess
    server.aof_state = AOF_WAIT_REWRITE
    _set_propagate_hook(True)
    if hasActiveChildProcess() and server.child_type != CHILD_TYPE_AOF:
        server.aof_rewrite_scheduled = 1
        serverLog(LL_WARNING, "AOF was enabled but there is already another background "
                  "operation. An AOF background was scheduled to start when possible.")
    elif server.in_exec:
        server.aof_rewrite_scheduled = 1
        serverLog(LL_WARNING, "AOF was enabled during a transaction. An AOF background was "
                  "scheduled to start when possible.")
    else:
        if server.child_type == CHILD_TYPE_AOF:
            serverLog(LL_WARNING, "AOF was enabled but there is already an AOF rewriting in "
                      "background. Stopping background AOF and starting a rewrite now.")
            killAppendOnlyChild()
        if rewriteAppendOnlyFileBackground() == C_ERR:
            server.aof_state = AOF_OFF
            _set_propagate_hook(False)
            serverLog(LL_WARNING, "Redis needs to enable the AOF but can't trigger a background "
                      "AOF rewrite operation. Check the above logs for more info about the "
                      "error.")
            return C_ERR
    server.aof_last_fsync = server.unixtime
    if server.aof_last_write_status == C_ERR:
        serverLog(LL_WARNING, "AOF reopen, just ignore the last error.")
        server.aof_last_write_status = C_OK
    return C_OK


def aof_apply_appendonly():
    """CONFIG SET appendonly's apply step (config.c's updateAppendonly, reached
    through server.appendonly_apply_hook): an error string, or None."""
    if not server.aof_enabled and server.aof_state != AOF_OFF:
        stopAppendOnly()
    elif server.aof_enabled and server.aof_state == AOF_OFF:
        if startAppendOnly() == C_ERR:
            return "Unable to turn on AOF. Check server logs."
    return None


# ===========================================================================
# Loading
# ===========================================================================
def createAOFClient():
    """The fake client AOF commands run in (createAOFClient): no connection, so
    replies go nowhere, and it may never block."""
    from .networking import createClient
    c = createClient(None)
    c.id = CLIENT_ID_AOF
    c.flags = CLIENT_DENY_BLOCKING
    return c


def _c_atoi(b):
    """C's atoi/strtol on the start of a line: spaces, sign, digits; 0 if none."""
    i = 0
    n = len(b)
    while i < n and b[i] in b" \t\n\v\f\r":
        i += 1
    j = i
    if j < n and b[j] in b"+-":
        j += 1
    k = j
    while k < n and 48 <= b[k] <= 57:
        k += 1
    return int(b[i:k]) if k > j else 0


class _AofEOF(Exception):
    """The file ended in the middle of a command (C's readerr with feof set)."""


class _AofFmt(Exception):
    """Something that is not RESP where a command should start (C's fmterr)."""


def _fgets(data, pos):
    """One line as C's fgets(buf, AOF_ANNOTATION_LINE_MAX_LEN) reads it: up to and
    including '\\n', at most 1023 bytes; None at end of file."""
    if pos >= len(data):
        return None, pos
    limit = pos + AOF_ANNOTATION_LINE_MAX_LEN - 1
    nl = data.find(b"\n", pos, limit)
    end = nl + 1 if nl != -1 else min(len(data), limit)
    return data[pos:end], end


def loadSingleAppendOnlyFile(filename):
    """Replay one file of the AOF directory (loadSingleAppendOnlyFile).

    A file starting with "REDIS" is an RDB (a base file, or an old AOF with
    an RDB preamble) and is loaded as one, then any AOF tail after it. The
    rest is read command by command, each run through its command's proc
    in a fake client, as C does (no call(): no propagation, no stats). A
    file cut short mid-command is truncated after the last whole command
    when aof-load-truncated is yes (AOF_TRUNCATED), and is an error if not.
    Returns one of the AOF_* results.
    """
    from .multi import queueMultiCommand
    from .networking import freeClient, freeClientArgv
    from .server import lookupCommand
    aof_filepath = makePath(server.aof_dirname, filename)
    try:
        with open(aof_filepath, "rb") as f:
            data = f.read()
    except FileNotFoundError as e:
        serverLog(LL_WARNING, "The append log file %s doesn't exist: %s", filename, _strerror(e))
        return AOF_NOT_EXIST
    except OSError as e:
        serverLog(LL_WARNING, "Fatal error: can't open the append log file %s for reading: %s",
                  filename, _strerror(e))
        return AOF_OPEN_ERR
    if not data:
        return AOF_EMPTY

    # No AOF feeding while we replay: an EXEC would otherwise append a
    # MULTI to the very file being read.
    old_aof_state = server.aof_state
    server.aof_state = AOF_OFF
    old_client = server.current_client
    fake = server.current_client = createAOFClient()
    ret = AOF_OK
    pos = 0
    valid_up_to = 0
    valid_before_multi = 0
    loops = 0
    base_loaded = getattr(server, "loading_loaded_bytes", 0)
    try:
        if data[:5] == b"REDIS":
            old_style = filename == server.aof_filename
            if old_style:
                serverLog(LL_NOTICE, "Reading RDB preamble from AOF file...")
            else:
                serverLog(LL_NOTICE, "Reading RDB base file on AOF loading...")
            pos = _load_rdb_part(data)
            if pos < 0:
                if old_style:
                    serverLog(LL_WARNING, "Error reading the RDB preamble of the AOF file %s, "
                              "AOF loading aborted", filename)
                else:
                    serverLog(LL_WARNING, "Error reading the RDB base file %s, AOF loading "
                              "aborted", filename)
                server.aof_state = old_aof_state
                return AOF_FAILED
            server.loading_loaded_bytes = base_loaded + pos
            if old_style:
                serverLog(LL_NOTICE, "Reading the remaining AOF tail...")
        try:
            while True:
                loops += 1
                if not (loops & 1023):
                    server.loading_loaded_bytes = base_loaded + pos
                line, pos = _fgets(data, pos)
                if line is None:
                    break
                if line[:1] == b"#":
                    continue            # an annotation (#TS:...)
                if line[:1] != b"*":
                    raise _AofFmt()
                if len(line) == 1:
                    raise _AofEOF()
                argc = _c_atoi(line[1:])
                if argc < 1:
                    raise _AofFmt()
                argv = []
                for _ in range(argc):
                    line, pos = _fgets(data, pos)
                    if line is None:
                        raise _AofEOF()
                    if line[:1] != b"$":
                        raise _AofFmt()
                    n = _c_atoi(line[1:])
                    if n and pos + n > len(data):
                        raise _AofEOF()
                    argv.append(data[pos:pos + n])
                    pos += n
                    if pos + 2 > len(data):
                        raise _AofEOF()
                    pos += 2        # CRLF, not checked, as fread(buf,2,1) does not
                cmd = lookupCommand(argv)
                if cmd is None:
                    serverLog(LL_WARNING, "Unknown command '%s' reading the append only file %s",
                              c_string(argv[0]).decode("utf-8", "replace"), filename)
                    return AOF_FAILED
                if cmd.proc.__name__ == "multiCommand":
                    valid_before_multi = valid_up_to
                fake.argv = argv
                fake.argc = argc
                fake.cmd = fake.lastcmd = fake.realcmd = cmd
                if fake.flags & CLIENT_MULTI and cmd.proc.__name__ != "execCommand":
                    queueMultiCommand(fake, cmd.flags)
                else:
                    cmd.proc(fake)
                freeClientArgv(fake)
                if server.aof_load_truncated:
                    valid_up_to = pos
                if server.key_load_delay:
                    from .rdb import debugDelay
                    debugDelay(server.key_load_delay)
            if fake.flags & CLIENT_MULTI:
                # A MULTI without its EXEC at the very end: a crash mid
                # transaction. Treated as a short read, back to before MULTI.
                serverLog(LL_WARNING, "Revert incomplete MULTI/EXEC transaction in AOF file %s",
                          filename)
                valid_up_to = valid_before_multi
                raise _AofEOF()
        except _AofFmt:
            serverLog(LL_WARNING, "Bad file format reading the append only file %s: make a "
                      "backup of your AOF file, then use ./redis-check-aof --fix "
                      "<filename.manifest>", filename)
            return AOF_FAILED
        except _AofEOF:
            if server.aof_load_truncated:
                serverLog(LL_WARNING, "!!! Warning: short read while loading the AOF file %s!!!",
                          filename)
                serverLog(LL_WARNING, "!!! Truncating the AOF %s at offset %d !!!", filename,
                          valid_up_to)
                try:
                    os.truncate(aof_filepath, valid_up_to)
                except OSError as e:
                    serverLog(LL_WARNING, "Error truncating the AOF file %s: %s", filename,
                              _strerror(e))
                else:
                    # The incr file may already be open for appending (DEBUG LOADAOF);
                    # O_APPEND writes go to the new end by themselves.
                    serverLog(LL_WARNING, "AOF %s loaded anyway because aof-load-truncated is "
                              "enabled", filename)
                    server.loading_loaded_bytes = base_loaded + len(data)
                    server.aof_state = old_aof_state
                    return AOF_TRUNCATED
            serverLog(LL_WARNING, "Unexpected end of file reading the append only file %s. You "
                      "can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
                      "<filename.manifest>. 2) Alternatively you can set the "
                      "'aof-load-truncated' configuration option to yes and restart the server.",
                      filename)
            return AOF_FAILED
        server.loading_loaded_bytes = base_loaded + len(data)
        server.aof_state = old_aof_state
        return ret
    finally:
        freeClient(fake)
        server.current_client = old_client


def _load_rdb_part(data):
    """Load the RDB at the start of `data` into the live databases; the offset
    just past it (where an old-style AOF tail starts), or -1 on error.

    rdbLoadRio expects the checksum at the very end of its buffer, which is
    not where it is when an AOF tail follows; for that case the checksum is
    checked here, over the bytes the loader actually consumed.
    """
    from .crc64 import crc64
    from .rdb import RDBFLAGS_AOF_PREAMBLE, RdbLoadError, rdbLoadRio
    from .rio import rioInitWithBuffer
    rdb = rioInitWithBuffer()
    rdb.buf = data
    saved = getattr(server, "skip_checksum_validation", 0)
    manual = False
    try:
        try:
            rdbLoadRio(rdb, RDBFLAGS_AOF_PREAMBLE, None)
            return rdb.pos
        except RdbLoadError:
            # Maybe only the checksum's place was wrong: retry, checking it
            # by hand at the end of the RDB part.
            if saved or not server.rdb_checksum:
                raise
        from .db import emptyData
        emptyData(-1, 0)
        server.skip_checksum_validation = 1
        manual = True
        rdb = rioInitWithBuffer()
        rdb.buf = data
        rdbLoadRio(rdb, RDBFLAGS_AOF_PREAMBLE, None)
        end = rdb.pos
        stored = int.from_bytes(data[end - 8:end], "little")
        if stored and crc64(0, memoryview(data)[:end - 8]) != stored:
            serverLog(LL_WARNING, "Wrong RDB checksum. Aborting now.")
            return -1
        return end
    except RdbLoadError as e:
        serverLog(LL_WARNING, "Internal error in RDB reading offset %d, function at rdb.py -> %s",
                  e.offset, e.reason)
        return -1
    finally:
        if manual:
            server.skip_checksum_validation = saved


def getAppendOnlyFileSize(filename):
    """(size, status) of a file in the AOF directory (getAppendOnlyFileSize; C
    returns the status through a pointer)."""
    start = time.monotonic_ns()
    try:
        size = os.stat(makePath(server.aof_dirname, filename)).st_size
        status = AOF_OK
    except OSError as e:
        status = AOF_NOT_EXIST if e.errno == _errno.ENOENT else AOF_OPEN_ERR
        serverLog(LL_WARNING, "Unable to obtain the AOF file %s length. stat: %s", filename,
                  _strerror(e))
        size = 0
    from .latency import latencyAddSampleIfNeeded
    latencyAddSampleIfNeeded("aof-fstat", (time.monotonic_ns() - start) // 1000000)
    return size, status


def getBaseAndIncrAppendOnlyFilesSize(am):
    """(total size, status) of the base and incr files, history excluded
    (getBaseAndIncrAppendOnlyFilesSize)."""
    size = 0
    files = ([am.base_aof_info] if am.base_aof_info is not None else []) + am.incr_aof_list
    for ai in files:
        n, status = getAppendOnlyFileSize(ai.file_name)
        if status != AOF_OK:
            return 0, status
        size += n
    return size, AOF_OK


def getBaseAndIncrAppendOnlyFilesNum(am):
    return (1 if am.base_aof_info is not None else 0) + len(am.incr_aof_list)


def loadAppendOnlyFiles(am):
    """Load the dataset from the files the manifest lists: the base, then each
    incr file in order (loadAppendOnlyFiles). Only the last file may be
    truncated. A pre-7.0 appendonly.aof in `dir` is first moved into the
    directory (aofUpgradePrepare). Returns an AOF_* result."""
    from .rdb import RDBFLAGS_AOF_PREAMBLE, startLoading, stopLoading
    if fileExist(server.aof_filename):
        if not dirExists(server.aof_dirname) or \
                (am.base_aof_info is None and not am.incr_aof_list) or \
                (am.base_aof_info is not None and not am.incr_aof_list and
                 am.base_aof_info.file_name == server.aof_filename and
                 not aofFileExist(server.aof_filename)):
            aofUpgradePrepare(am)
    if am.base_aof_info is None and not am.incr_aof_list:
        return AOF_NOT_EXIST
    total_num = getBaseAndIncrAppendOnlyFilesNum(am)
    total_size, status = getBaseAndIncrAppendOnlyFilesSize(am)
    if status != AOF_OK:
        # A file the manifest lists but the disk lacks is fatal.
        return AOF_FAILED if status == AOF_NOT_EXIST else status
    if total_size == 0:
        return AOF_EMPTY
    startLoading(total_size, RDBFLAGS_AOF_PREAMBLE, 0)
    ret = AOF_OK
    aof_num = 0
    base_size = 0
    try:
        files = []
        if am.base_aof_info is not None:
            files.append(("base", am.base_aof_info))
        files += [("incr", ai) for ai in am.incr_aof_list]
        for kind, ai in files:
            aof_name = ai.file_name
            server.loading_filename = aof_name
            if kind == "base":
                base_size = getAppendOnlyFileSize(aof_name)[0]
            aof_num += 1
            last_file = aof_num == total_num
            start = time.time()
            ret = loadSingleAppendOnlyFile(aof_name)
            if ret == AOF_OK or (ret == AOF_TRUNCATED and last_file):
                serverLog(LL_NOTICE, "DB loaded from %s file %s: %.3f seconds", kind, aof_name,
                          time.time() - start)
            if kind == "incr" and ret == AOF_EMPTY:
                ret = AOF_OK        # some file had data: an empty incr file is fine
            if ret == AOF_TRUNCATED and not last_file:
                ret = AOF_FAILED
                serverLog(LL_WARNING, "Fatal error: the truncated file is not the last file")
            if ret in (AOF_OPEN_ERR, AOF_FAILED):
                return ret
        server.aof_current_size = total_size
        # The size at the end of the last rewrite is not stored anywhere;
        # the base's size is the closest thing (an early first rewrite is
        # the price, as in Redis).
        server.aof_rewrite_base_size = base_size
        return ret
    finally:
        stopLoading(ret in (AOF_OK, AOF_TRUNCATED))


def loadDataFromAppendOnlyFiles():
    """The AOF branch of loadDataFromDisk (server.c): load, exit on failure, log
    the time. Called by server.loadDataFromDisk when appendonly is yes."""
    start = time.time()
    ret = loadAppendOnlyFiles(server.aof_manifest)
    if ret in (AOF_FAILED, AOF_OPEN_ERR):
        _exit_fatal()
    if ret != AOF_NOT_EXIST:
        serverLog(LL_NOTICE, "DB loaded from append only file: %.3f seconds", time.time() - start)


def debugLoadaof(c):
    """DEBUG LOADAOF: flush the AOF, empty the dataset and load it back from the
    files (debug.c's "loadaof" branch). A load failure exits, as in Redis."""
    from .db import emptyData
    from .networking import addReply
    if server.aof_state == AOF_ON:
        flushAppendOnlyFile(1)
    emptyData(-1, 0)
    aofLoadManifestFromDisk()
    aofDelHistoryFiles()
    ret = loadAppendOnlyFiles(server.aof_manifest)
    if ret not in (AOF_OK, AOF_EMPTY):
        _exit_fatal()
    server.dirty = 0
    serverLog(LL_WARNING, "Append Only File loaded by DEBUG LOADAOF")
    addReply(c, shared.ok)


# ===========================================================================
# Rewriting
# ===========================================================================
def _ele(v):
    """An element as the bytes of its bulk string (rioWriteBulkObject's two cases)."""
    if type(v) is int:
        return b"%d" % v
    return v if type(v) is bytes else bytes(v)


def rioWriteBulkObject(r, obj):
    """Write a string object as a bulk string, an int-encoded one as its digits
    (rioWriteBulkObject)."""
    from .rio import rioWriteBulkString
    return rioWriteBulkString(r, _ele(obj.ptr) if hasattr(obj, "ptr") else _ele(obj))


def _rewrite_variadic(r, cmdname, key, items, per_item):
    """Emit `cmdname key item...` commands of at most AOF_REWRITE_ITEMS_PER_CMD
    items each: the shared loop of rewriteListObject and its siblings."""
    from .rio import rioWriteBulkCount, rioWriteBulkString
    items = list(items)
    total = len(items)
    for i in range(0, total, AOF_REWRITE_ITEMS_PER_CMD):
        chunk = items[i:i + AOF_REWRITE_ITEMS_PER_CMD]
        if not rioWriteBulkCount(r, ord("*"), 2 + len(chunk) * per_item) or \
                not rioWriteBulkString(r, cmdname) or not rioWriteBulkString(r, key):
            return 0
        for item in chunk:
            if per_item == 1:
                if not rioWriteBulkString(r, _ele(item)):
                    return 0
            else:
                for part in item:
                    if not part(r):
                        return 0
    return 1


def rewriteListObject(r, key, o):
    """RPUSH key e1 ... e64, as many as needed (rewriteListObject)."""
    return _rewrite_variadic(r, b"RPUSH", key, o.ptr, 1)


def rewriteSetObject(r, key, o):
    """SADD key m1 ... m64, as many as needed (rewriteSetObject)."""
    return _rewrite_variadic(r, b"SADD", key, o.ptr, 1)


def rewriteSortedSetObject(r, key, o):
    """ZADD key s1 m1 ... s64 m64, scores printed with %.17g (rewriteSortedSetObject)."""
    from .rdb import zset_members_ordered
    from .rio import rioWriteBulkDouble, rioWriteBulkString
    pairs = [((lambda rr, s=s: rioWriteBulkDouble(rr, s)),
              (lambda rr, m=m: rioWriteBulkString(rr, _ele(m))))
             for m, s in zset_members_ordered(o.ptr)]
    return _rewrite_variadic(r, b"ZADD", key, pairs, 2)


def rewriteHashObject(r, key, o):
    """HMSET key f1 v1 ... f64 v64, as many as needed (rewriteHashObject)."""
    from .rio import rioWriteBulkString
    pairs = [((lambda rr, f=f: rioWriteBulkString(rr, _ele(f))),
              (lambda rr, v=v: rioWriteBulkString(rr, _ele(v))))
             for f, v in o.ptr.items()]
    return _rewrite_variadic(r, b"HMSET", key, pairs, 2)


def rewriteAppendOnlyFileRio(aof):
    """Write the commands that rebuild the dataset (rewriteAppendOnlyFileRio): per
    non-empty db a SELECT, then per key a SET / RPUSH / SADD / ZADD / HMSET and
    a PEXPIREAT for a volatile key. This is the base without the RDB preamble
    (aof-use-rdb-preamble no). Returns C_OK or C_ERR."""
    from .object import OBJ_HASH, OBJ_LIST, OBJ_SET, OBJ_STRING, OBJ_ZSET
    from .rdb import CHILD_INFO_TYPE_CURRENT_INFO, sendChildInfo
    from .rio import rioWrite, rioWriteBulkLongLong, rioWriteBulkString
    if server.aof_timestamp_enabled:
        if rioWrite(aof, genAofTimestampAnnotationIfNeeded(1)) == 0:
            return C_ERR
    key_count = 0
    updated_time = 0
    for j in range(server.dbnum):
        db = server.db[j]
        if not db.dict:
            continue
        if rioWrite(aof, _SELECT_HDR) == 0 or rioWriteBulkLongLong(aof, j) == 0:
            return C_ERR
        expires = db.expires
        for key, o in db.dict.items():
            t = o.type
            if t == OBJ_STRING:
                if rioWrite(aof, b"*3\r\n$3\r\nSET\r\n") == 0 or \
                        rioWriteBulkString(aof, key) == 0 or rioWriteBulkObject(aof, o) == 0:
                    return C_ERR
            elif t == OBJ_LIST:
                ok = rewriteListObject(aof, key, o)
            elif t == OBJ_SET:
                ok = rewriteSetObject(aof, key, o)
            elif t == OBJ_ZSET:
                ok = rewriteSortedSetObject(aof, key, o)
            elif t == OBJ_HASH:
                ok = rewriteHashObject(aof, key, o)
            else:
                serverLog(LL_WARNING, "Unknown object type %d in AOF rewrite", t)
                return C_ERR
            if t != OBJ_STRING and not ok:
                return C_ERR
            when = expires.get(key)
            if when is not None:
                if rioWrite(aof, b"*3\r\n$9\r\nPEXPIREAT\r\n") == 0 or \
                        rioWriteBulkString(aof, key) == 0 or \
                        rioWriteBulkLongLong(aof, when) == 0:
                    return C_ERR
            key_count += 1
            if (key_count & 1023) == 1:
                now = int(time.time() * 1000)
                if now - updated_time >= 1000:
                    sendChildInfo(CHILD_INFO_TYPE_CURRENT_INFO, key_count, "AOF rewrite")
                    updated_time = now
            if server.rdb_key_save_delay:
                from .rdb import debugDelay
                debugDelay(server.rdb_key_save_delay)
    return C_OK


def rewriteAppendOnlyFile(filename):
    """Write a complete base to `filename` through temp-rewriteaof-<pid>.aof: an
    RDB with aof-base:1 (aof-use-rdb-preamble yes) or commands; flush, fsync,
    rename (rewriteAppendOnlyFile). Used by the rewrite child and, in the
    foreground, for the first base at start-up."""
    from .rdb import RDBFLAGS_AOF_PREAMBLE, SLAVE_REQ_NONE, rdbSaveRio, startSaving, stopSaving
    from .rio import REDIS_AUTOSYNC_BYTES, rioFlush, rioInitWithFile, rioSetAutoSync
    tmpfile = "temp-rewriteaof-%d.aof" % os.getpid()
    try:
        fp = open(tmpfile, "wb")
    except OSError as e:
        serverLog(LL_WARNING, "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): "
                  "%s", _strerror(e))
        return C_ERR
    aof = rioInitWithFile(fp)
    if server.aof_rewrite_incremental_fsync:
        rioSetAutoSync(aof, REDIS_AUTOSYNC_BYTES)
    startSaving(RDBFLAGS_AOF_PREAMBLE)
    err = None
    try:
        if server.aof_use_rdb_preamble:
            ok = rdbSaveRio(SLAVE_REQ_NONE, aof, RDBFLAGS_AOF_PREAMBLE, None) == C_OK
        else:
            ok = rewriteAppendOnlyFileRio(aof) == C_OK
        if ok and rioFlush(aof):
            fp.flush()
            os.fsync(fp.fileno())
            fp.close()
        else:
            ok = False
    except OSError as e:
        ok = False
        err = e
    if not ok:
        serverLog(LL_WARNING, "Write error writing append only file on disk: %s",
                  _strerror(err) if err else "write error")
        try:
            fp.close()
        except OSError:
            pass
        bg_unlink(tmpfile)
        stopSaving(0)
        return C_ERR
    try:
        os.rename(tmpfile, filename)
    except OSError as e:
        serverLog(LL_WARNING, "Error moving temp append only file on the final destination: %s",
                  _strerror(e))
        bg_unlink(tmpfile)
        stopSaving(0)
        return C_ERR
    stopSaving(1)
    return C_OK


def rewriteAppendOnlyFileBackground():
    """BGREWRITEAOF (rewriteAppendOnlyFileBackground): flush the buffer, open a
    new incr file for the writes to come, then fork; the child writes the new
    base to temp-rewriteaof-bg-<pid>.aof and exits. The parent keeps serving;
    backgroundRewriteDoneHandler finishes the job when the child is reaped."""
    from .rdb import CHILD_INFO_TYPE_AOF_COW_SIZE, exitFromChild, redisFork, sendChildInfo
    from .server import hasActiveChildProcess
    if hasActiveChildProcess():
        return C_ERR
    rc, e = dirCreateIfMissing(server.aof_dirname)
    if rc == -1:
        serverLog(LL_WARNING, "Can't open or create append-only dir %s: %s",
                  server.aof_dirname, _strerror(e))
        server.aof_lastbgrewrite_status = C_ERR
        return C_ERR
    # The next command must start with a SELECT: it opens a new file.
    server.aof_selected_db = -1
    flushAppendOnlyFile(1)
    if openNewIncrAofForAppend() != C_OK:
        server.aof_lastbgrewrite_status = C_ERR
        return C_ERR
    server.stat_aof_rewrites += 1
    childpid = redisFork(CHILD_TYPE_AOF)
    if childpid == 0:
        retval = 1
        try:
            tmpfile = "temp-rewriteaof-bg-%d.aof" % os.getpid()
            if rewriteAppendOnlyFile(tmpfile) == C_OK:
                serverLog(LL_NOTICE, "Successfully created the temporary AOF base file %s",
                          tmpfile)
                sendChildInfo(CHILD_INFO_TYPE_AOF_COW_SIZE,
                              sum(len(db.dict) for db in server.db), "AOF rewrite")
                retval = 0
        except BaseException:
            retval = 1
        exitFromChild(retval)
    if childpid == -1:
        server.aof_lastbgrewrite_status = C_ERR
        serverLog(LL_WARNING, "Can't rewrite append only file in background: fork: %s",
                  "fork failed")
        return C_ERR
    serverLog(LL_NOTICE, "Background append only file rewriting started by pid %d", childpid)
    server.aof_child_pid = childpid
    server.aof_rewrite_scheduled = 0
    server.aof_rewrite_time_start = int(time.time())
    return C_OK


def bgrewriteaofCommand(c):
    """BGREWRITEAOF (bgrewriteaofCommand): start a rewrite, or schedule one when
    another child runs or we are inside MULTI."""
    from .networking import addReplyError, addReplyStatus
    from .server import hasActiveChildProcess
    if server.child_type == CHILD_TYPE_AOF:
        addReplyError(c, "Background append only file rewriting already in progress")
    elif hasActiveChildProcess() or server.in_exec:
        server.aof_rewrite_scheduled = 1
        # Asked for by hand: not subject to the failure back-off.
        server.stat_aofrw_consecutive_failures = 0
        addReplyStatus(c, "Background append only file rewriting scheduled")
    elif rewriteAppendOnlyFileBackground() == C_OK:
        addReplyStatus(c, "Background append only file rewriting started")
    else:
        addReplyError(c, "Can't execute an AOF background rewriting. Please check the server "
                      "logs for more information.")


def aofRemoveTempFile(childpid):
    """Remove what a rewrite child may have left in `dir` (aofRemoveTempFile)."""
    bg_unlink("temp-rewriteaof-bg-%d.aof" % childpid)
    bg_unlink("temp-rewriteaof-%d.aof" % childpid)


def backgroundRewriteDoneHandler(exitcode, bysignal):
    """The rewrite child exited (backgroundRewriteDoneHandler). On success: name
    the new base (the old one becomes history), rename the child's file to it,
    adopt the temp incr file if AOF was just turned on, move the incr files
    the base now covers to history, write the manifest, delete history. Any
    failure leaves the previous manifest, and so the previous files, in use.
    """
    from .latency import latencyAddSampleIfNeeded
    from .rdb import closeChildInfoPipe, receiveChildInfo
    childpid = server.aof_child_pid
    receiveChildInfo()
    closeChildInfoPipe()
    if not bysignal and exitcode == 0:
        now = time.monotonic()
        serverLog(LL_NOTICE, "Background AOF rewrite terminated with success")
        tmpfile = "temp-rewriteaof-bg-%d.aof" % childpid
        temp_am = aofManifestDup(server.aof_manifest)
        new_base_filename = getNewBaseFileNameAndMarkPreAsHistory(temp_am)
        new_base_filepath = makePath(server.aof_dirname, new_base_filename)
        new_incr_filepath = None
        ok = True
        start = time.monotonic_ns()
        try:
            os.rename(tmpfile, new_base_filepath)
        except OSError as e:
            serverLog(LL_WARNING, "Error trying to rename the temporary AOF base file %s into "
                      "%s: %s", tmpfile, new_base_filepath, _strerror(e))
            ok = False
        if ok:
            latencyAddSampleIfNeeded("aof-rename", (time.monotonic_ns() - start) // 1000000)
            serverLog(LL_NOTICE, "Successfully renamed the temporary AOF base file %s into %s",
                      tmpfile, new_base_filename)
            if server.aof_state == AOF_WAIT_REWRITE:
                temp_incr_aof_name = getTempIncrAofName()
                temp_incr_filepath = makePath(server.aof_dirname, temp_incr_aof_name)
                new_incr_filename = getNewIncrAofName(temp_am)
                new_incr_filepath = makePath(server.aof_dirname, new_incr_filename)
                start = time.monotonic_ns()
                try:
                    os.rename(temp_incr_filepath, new_incr_filepath)
                except OSError as e:
                    serverLog(LL_WARNING, "Error trying to rename the temporary AOF incr file %s "
                              "into %s: %s", temp_incr_filepath, new_incr_filepath, _strerror(e))
                    bg_unlink(new_base_filepath)
                    ok = False
                else:
                    latencyAddSampleIfNeeded("aof-rename",
                                             (time.monotonic_ns() - start) // 1000000)
                    serverLog(LL_NOTICE, "Successfully renamed the temporary AOF incr file %s "
                              "into %s", temp_incr_aof_name, new_incr_filename)
        if ok:
            markRewrittenIncrAofAsHistory(temp_am)
            if persistAofManifest(temp_am) == C_ERR:
                bg_unlink(new_base_filepath)
                if new_incr_filepath:
                    bg_unlink(new_incr_filepath)
                ok = False
        if ok:
            aofManifestFreeAndUpdate(temp_am)
            if server.aof_state != AOF_OFF:
                server.aof_current_size = getAppendOnlyFileSize(new_base_filename)[0] + \
                    server.aof_last_incr_size
                server.aof_rewrite_base_size = server.aof_current_size
            aofDelHistoryFiles()
            server.aof_lastbgrewrite_status = C_OK
            server.stat_aofrw_consecutive_failures = 0
            serverLog(LL_NOTICE, "Background AOF rewrite finished successfully")
            if server.aof_state == AOF_WAIT_REWRITE:
                server.aof_state = AOF_ON
            serverLog(LL_VERBOSE, "Background AOF rewrite signal handler took %dus",
                      int((time.monotonic() - now) * 1e6))
        else:
            server.aof_lastbgrewrite_status = C_ERR
            server.stat_aofrw_consecutive_failures += 1
    elif not bysignal and exitcode != 0:
        server.aof_lastbgrewrite_status = C_ERR
        server.stat_aofrw_consecutive_failures += 1
        serverLog(LL_WARNING, "Background AOF rewrite terminated with error")
    else:
        # SIGUSR1 is how we stop our own child: not a failure.
        if bysignal != signal.SIGUSR1:
            server.aof_lastbgrewrite_status = C_ERR
            server.stat_aofrw_consecutive_failures += 1
        serverLog(LL_WARNING, "Background AOF rewrite terminated by signal %d", bysignal)

    aofRemoveTempFile(childpid)
    if server.aof_state == AOF_WAIT_REWRITE:
        # The first rewrite failed: what the temp incr file holds is covered
        # by the next attempt, which starts from the dataset anew.
        server.aof_buf = bytearray()
        aofDelTempIncrAofFile()
    server.aof_child_pid = -1
    server.aof_rewrite_time_last = int(time.time()) - server.aof_rewrite_time_start
    server.aof_rewrite_time_start = -1
    server.stat_current_save_keys_processed = 0
    server.stat_current_save_keys_total = 0
    if server.aof_state == AOF_WAIT_REWRITE:
        server.aof_rewrite_scheduled = 1


# ===========================================================================
# Shutdown, INFO, and registration with the server
# ===========================================================================
def aofShutdown(flags):
    """prepareForShutdown's AOF part (server.c): refuse to exit while the first
    base is still being written (unless FORCE), then flush and fsync.

    Deliberate difference in order: pyredis's finishShutdown kills a running
    child before the shutdown hooks run, so the "can't exit" case finds the
    first rewrite already stopped; it schedules it again and refuses.
    """
    from .server_h import SHUTDOWN_FORCE
    if server.aof_state == AOF_WAIT_REWRITE:
        if flags & SHUTDOWN_FORCE:
            serverLog(LL_WARNING, "Writing initial AOF. Exit anyway.")
        else:
            serverLog(LL_WARNING, "Writing initial AOF, can't exit.")
            server.aof_rewrite_scheduled = 1
            return C_ERR
    if server.aof_state != AOF_OFF and server.aof_fd != -1:
        serverLog(LL_NOTICE, "Calling fsync() on the AOF file.")
        flushAppendOnlyFile(1)
        try:
            os.fdatasync(server.aof_fd)
        except OSError as e:
            serverLog(LL_WARNING, "Fail to fsync the AOF file: %s.", _strerror(e))
    return C_OK


def _aof_child_killed():
    """killChildProcesses stopped our rewrite child: log it as Redis does and
    remove its temp files (the part of killAppendOnlyChild that still applies)."""
    if server.child_type != CHILD_TYPE_AOF:
        return
    serverLog(LL_WARNING, "There is a child rewriting the AOF. Killing it!")
    aofRemoveTempFile(server.child_pid)
    server.aof_child_pid = -1
    server.aof_rewrite_time_start = -1


def aofInfoFields():
    """The aof_* lines of INFO persistence (server.c's genRedisInfoString), in
    Redis 7.0's order; the size block only with appendonly yes. The
    everysec fsync runs inline, so aof_pending_bio_fsync is always 0."""
    # getattr: INFO must work even before aofRegister ran (in-process tests).
    g = lambda name, default=0: getattr(server, name, default)  # noqa: E731
    child = server.child_type
    start = g("aof_rewrite_time_start", -1)
    fields = [
        ("aof_enabled", 1 if server.aof_state != AOF_OFF else 0),
        ("aof_rewrite_in_progress", 1 if child == CHILD_TYPE_AOF else 0),
        ("aof_rewrite_scheduled", g("aof_rewrite_scheduled")),
        ("aof_last_rewrite_time_sec", g("aof_rewrite_time_last", -1)),
        ("aof_current_rewrite_time_sec",
         int(time.time()) - start if child == CHILD_TYPE_AOF and start != -1 else -1),
        ("aof_last_bgrewrite_status", "ok" if g("aof_lastbgrewrite_status", C_OK) == C_OK
         else "err"),
        ("aof_rewrites", g("stat_aof_rewrites")),
        ("aof_rewrites_consecutive_failures", g("stat_aofrw_consecutive_failures")),
        ("aof_last_write_status", "ok" if server.aof_last_write_status == C_OK else "err"),
        ("aof_last_cow_size", g("stat_aof_cow_bytes")),
        ("module_fork_in_progress", 1 if child == 4 else 0),      # CHILD_TYPE_MODULE
        ("module_fork_last_cow_size", 0),
    ]
    if server.aof_enabled:
        fields += [
            ("aof_current_size", g("aof_current_size")),
            ("aof_base_size", g("aof_rewrite_base_size")),
            ("aof_pending_rewrite", g("aof_rewrite_scheduled")),
            ("aof_buffer_length", len(g("aof_buf", b""))),
            ("aof_pending_bio_fsync", 0),
            ("aof_delayed_fsync", g("aof_delayed_fsync")),
        ]
    return fields


_DEFAULTS = (
    ("aof_fd", -1), ("aof_selected_db", -1), ("aof_manifest", None),
    ("aof_last_fsync", 0), ("aof_cur_timestamp", 0), ("aof_rewrite_base_size", 0),
    ("aof_current_size", 0), ("aof_last_incr_size", 0), ("aof_last_incr_fsync_offset", 0),
    ("aof_flush_postponed_start", 0), ("aof_delayed_fsync", 0), ("aof_rewrite_scheduled", 0),
    ("aof_rewrite_time_last", -1), ("aof_rewrite_time_start", -1),
    ("aof_lastbgrewrite_status", C_OK), ("stat_aof_rewrites", 0),
    ("stat_aofrw_consecutive_failures", 0), ("stat_aof_cow_bytes", 0), ("aof_flush_sleep", 0),
    ("aof_child_pid", -1), ("key_load_delay", 0), ("loading_filename", None),
)


def aofRegister():
    """Plug the AOF into the server (Python-only; called by register_module_hooks
    during initServer): its runtime fields, initServer's
    `aof_state = aof_enabled ? AOF_ON : AOF_OFF`, the propagate hook, the
    rewrite child's done handler, CONFIG SET appendonly, shutdown."""
    first = not getattr(server, "aof_registered", False)
    for field, default in _DEFAULTS:
        if not hasattr(server, field) or (first and field in ("aof_fd", "aof_child_pid")):
            setattr(server, field, default)
    if not isinstance(getattr(server, "aof_buf", None), bytearray):
        server.aof_buf = bytearray()
    if first:
        server.aof_registered = True
        server.aof_state = AOF_ON if server.aof_enabled else AOF_OFF
        server.aof_last_fsync = int(time.time())
    _set_propagate_hook(server.aof_state != AOF_OFF)
    server.child_done_handlers[CHILD_TYPE_AOF] = backgroundRewriteDoneHandler
    server.appendonly_apply_hook = aof_apply_appendonly
    if aofShutdown not in server.shutdown_hooks:
        server.shutdown_hooks.append(aofShutdown)
    if _aof_child_killed not in server.kill_child_hooks:
        server.kill_child_hooks.insert(0, _aof_child_killed)
