"""DUMP and RESTORE: a single value in RDB format (the part of cluster.c they live in).

A DUMP payload is what rdbSaveObjectType + rdbSaveObject write for the
value, then a footer: the RDB version as 2 bytes little endian and a CRC64
of everything before the CRC, 8 bytes little endian:

    <type> <value bytes> <0a 00> <crc64>

Because it is the RDB encoding, a payload DUMPed by a real Redis 7.0
RESTOREs here and the other way round. RESTORE refuses a payload from a
newer RDB version or with a wrong checksum before trying to parse it.
"""

from .crc64 import crc64
from .db import dbAdd, dbDelete, lookupKeyRead, lookupKeyWrite, setExpire, signalModifiedKey
from .networking import addReply, addReplyBulkCBuffer, addReplyError, addReplyErrorObject, \
    addReplyNull
from .notify import notifyKeyspaceEvent
from .object import LRU_CLOCK, getLongLongFromObjectOrReply
from .server_h import NOTIFY_GENERIC, server, shared
from .expire import checkAlreadyExpired
from .rdb import (
    RdbLoadError,
    objectSetLRUOrLFU,
    rdbLoadObject,
    rdbLoadObjectType,
    rdb_encode_object,
    rdb_object_type,
)
from .rio import rioInitWithBuffer
from .server import rewriteClientCommandArgument, rewriteClientCommandVector
from .util import c_string, mstime

RDB_VERSION = 10


def createDumpPayload(o, key, dbid):
    """Serialize a value the way DUMP returns it (createDumpPayload)."""
    body = bytes((rdb_object_type(o),)) + rdb_encode_object(o)
    body += bytes((RDB_VERSION & 0xFF, (RDB_VERSION >> 8) & 0xFF))
    return body + crc64(0, body).to_bytes(8, "little")


def verifyDumpPayload(p):
    """Footer check: RDB version not newer than ours and a matching CRC64;
    returns (ok, rdbver) (verifyDumpPayload)."""
    if len(p) < 10:
        return False, 0
    rdbver = p[-10] | (p[-9] << 8)
    if rdbver > RDB_VERSION:
        return False, rdbver
    if getattr(server, "skip_checksum_validation", 0):
        return True, rdbver
    return crc64(0, p[:-8]) == int.from_bytes(p[-8:], "little"), rdbver


def dumpCommand(c):
    """DUMP key (dumpCommand)."""
    o = lookupKeyRead(c.db, c.argv[1])
    if o is None:
        addReplyNull(c)
        return
    try:
        payload = createDumpPayload(o, c.argv[1], c.db.id)
    except (NotImplementedError, ValueError) as e:
        addReplyError(c, str(e))
        return
    addReplyBulkCBuffer(c, payload)


def restoreCommand(c):
    """RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f] (restoreCommand)."""
    argv = c.argv
    lfu_freq = lru_idle = lru_clock = -1
    replace = absttl = False
    j = 4
    while j < len(argv):
        opt = c_string(argv[j]).lower()
        additional = len(argv) - j - 1
        if opt == b"replace":
            replace = True
        elif opt == b"absttl":
            absttl = True
        elif opt == b"idletime" and additional >= 1 and lfu_freq == -1:
            lru_idle = getLongLongFromObjectOrReply(c, argv[j + 1])
            if lru_idle is None:
                return
            if lru_idle < 0:
                addReplyError(c, "Invalid IDLETIME value, must be >= 0")
                return
            lru_clock = LRU_CLOCK()
            j += 1
        elif opt == b"freq" and additional >= 1 and lru_idle == -1:
            lfu_freq = getLongLongFromObjectOrReply(c, argv[j + 1])
            if lfu_freq is None:
                return
            if lfu_freq < 0 or lfu_freq > 255:
                addReplyError(c, "Invalid FREQ value, must be >= 0 and <= 255")
                return
            j += 1
        else:
            addReplyErrorObject(c, shared.syntaxerr)
            return
        j += 1

    key = argv[1]
    if not replace and lookupKeyWrite(c.db, key) is not None:
        addReplyErrorObject(c, shared.busykeyerr)
        return
    ttl = getLongLongFromObjectOrReply(c, argv[2])
    if ttl is None:
        return
    if ttl < 0:
        addReplyError(c, "Invalid TTL value, must be >= 0")
        return
    payload = argv[3]
    ok, _ver = verifyDumpPayload(payload)
    if not ok:
        addReplyError(c, "DUMP payload version or checksum are wrong")
        return
    rdb = rioInitWithBuffer()
    # The reader gets the whole payload, footer included, as Redis's
    # rioInitWithBuffer(&payload, c->argv[3]->ptr) does: a value whose last
    # length runs up to 10 bytes too far reads the version and CRC bytes
    # as data and is accepted there, so it must be here too.
    rdb.buf = bytes(payload)
    try:
        t = rdbLoadObjectType(rdb)
        obj = rdbLoadObject(t, rdb, key, c.db.id)
    except (RdbLoadError, IndexError, ValueError):
        obj = None
    if obj is None:
        addReplyError(c, "Bad data format")
        return

    deleted = False
    if replace:
        deleted = dbDelete(c.db, key)
    if ttl and not absttl:
        ttl += mstime()
    if ttl and checkAlreadyExpired(ttl):
        if deleted:
            rewriteClientCommandVector(c, [b"DEL", key])
            signalModifiedKey(c, c.db, key)
            notifyKeyspaceEvent(NOTIFY_GENERIC, "del", key, c.db.id)
            server.dirty += 1
        addReply(c, shared.ok)
        return
    dbAdd(c.db, key, obj)
    if ttl:
        setExpire(c, c.db, key, ttl)
        if not absttl:
            # Propagate an absolute time, so a replica or the AOF sets the
            # same deadline whenever it replays the command.
            rewriteClientCommandArgument(c, 2, b"%d" % ttl)
            rewriteClientCommandArgument(c, len(c.argv), b"ABSTTL")
    objectSetLRUOrLFU(obj, lfu_freq, lru_idle, lru_clock, 1000)
    signalModifiedKey(c, c.db, key)
    notifyKeyspaceEvent(NOTIFY_GENERIC, "restore", key, c.db.id)
    addReply(c, shared.ok)
    server.dirty += 1


# ---------------------------------------------------------------------------
# Cluster mode. pyredis serves standalone only (main() refuses to start with
# cluster-enabled yes), so these are the answers a standalone Redis gives.
# Keeping the commands, rather than letting them fall through as unknown,
# matters to clients that probe with CLUSTER INFO or send READONLY and
# branch on this exact error.
# ---------------------------------------------------------------------------
CLUSTER_DISABLED = "This instance has cluster support disabled"


def clusterCommand(c):
    """CLUSTER <subcommand> (clusterCommand): every subcommand, on a standalone server.

    Unknown subcommands and wrong arities never get here: processCommand
    answers them from the command table first, as in Redis.
    """
    addReplyError(c, CLUSTER_DISABLED)


def askingCommand(c):
    """ASKING (askingCommand): only meaningful in cluster mode."""
    addReplyError(c, CLUSTER_DISABLED)


def readonlyCommand(c):
    """READONLY (readonlyCommand): only meaningful in cluster mode."""
    addReplyError(c, CLUSTER_DISABLED)


def readwriteCommand(c):
    """READWRITE (readwriteCommand): only meaningful in cluster mode."""
    addReplyError(c, CLUSTER_DISABLED)
