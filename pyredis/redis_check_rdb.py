"""redis-check-rdb: validate an RDB file and say what it holds (redis-check-rdb.c).

    python -m pyredis.redis_check_rdb dump.rdb          # like redis-check-rdb
    python -m pyredis.redis_check_rdb --dump dump.rdb   # every field, byte by byte

The check walks the file with the loader's own readers (pyredis.rdb) and
prints the same report as Redis's tool: the aux fields, the dbs, the key
counts, and on a bad file the offset, the reason and what it was reading.

--dump is the reading the article does with `od -A x -t x1c dump.rdb`, done
for you: one line per field with its offset, its raw bytes and what they
mean (magic, each AUX pair, SELECTDB, RESIZEDB, each key's opcodes, type,
key and value, EOF, the checksum and whether it matches). Listpack values
(small hashes, zsets, list nodes) are opened up entry by entry.
"""

import struct
import sys
import time

from . import rdb as R
from .crc64 import crc64
from .rio import rioInitWithBuffer
from .config import initConfigValues
from .server_h import server

STEP_NAMES = {
    "start": "start", "type": "read-type", "expire": "read-expire", "key": "read-key",
    "value": "read-object-value", "check-sum": "check-sum", "aux": "read-aux",
    "module-aux": "read-module-aux",
}


class _Walker:
    """Reads an RDB with the rdb.py primitives and reports each field as
    (start offset, end offset, meaning) to `emit`."""

    def __init__(self, data, emit, verbose):
        self.rdb = rioInitWithBuffer()
        self.rdb.buf = data
        self.data = data
        self.emit = emit
        self.verbose = verbose
        self.step = "start"
        self.key = None
        self.keytype = None
        self.keys = self.expires = self.already_expired = 0
        self.aux = []
        self.dbs = []
        self.now = int(time.time() * 1000)

    # -- helpers ---------------------------------------------------------
    def field(self, start, meaning):
        self.emit(start, self.rdb.pos, meaning)

    def read_len(self, what):
        start = self.rdb.pos
        n = R.rdbLoadLen(self.rdb)
        self.field(start, "%s: %d" % (what, n))
        return n

    def read_string(self, what):
        """A string field; says which of the four string forms it used."""
        rdb = self.rdb
        start = rdb.pos
        b = self.data[start] if start < len(self.data) else None
        v = R.rdbGenericLoadStringObject(rdb, R.RDB_LOAD_ENC)
        if b is not None and b >> 6 == 3:
            enc = b & 0x3F
            if enc == R.RDB_ENC_LZF:
                how = "LZF compressed, %d bytes inflated" % len(v)
            else:
                how = "int%d encoded" % (8 << enc)
        else:
            how = "length %d" % (len(v) if type(v) is bytes else 0)
        shown = v if type(v) is int else _repr(v)
        self.field(start, "%s (%s): %s" % (what, how, shown))
        return v if type(v) is bytes else b"%d" % v, start, b

    # -- the file --------------------------------------------------------
    def run(self):
        data = self.data
        rdb = self.rdb
        if len(data) < 9 or data[:5] != b"REDIS":
            raise R.RdbLoadError(0, "Wrong signature trying to load DB from file")
        try:
            ver = int(data[5:9])
        except ValueError:
            raise R.RdbLoadError(5, "Wrong signature trying to load DB from file") from None
        rdb.pos = 9
        self.field(0, 'magic "REDIS", RDB version %d' % ver)
        if ver < 1 or ver > R.RDB_VERSION:
            raise R.RdbLoadError(5, "Can't handle RDB format version %d" % ver)
        expiretime = -1
        while True:
            self.step = "type"
            start = rdb.pos
            t = R.rdbLoadType(rdb)
            if t == R.RDB_OPCODE_EXPIRETIME_MS:
                self.step = "expire"
                self.field(start, "EXPIRETIME_MS opcode (0xfc)")
                s = rdb.pos
                expiretime = R.rdbLoadMillisecondTime(rdb, ver)
                self.field(s, "expire time: %d ms (%s UTC)" % (expiretime, _utc(expiretime)))
                continue
            if t == R.RDB_OPCODE_EXPIRETIME:
                self.step = "expire"
                self.field(start, "EXPIRETIME opcode (0xfd), seconds")
                s = rdb.pos
                expiretime = R.rdbLoadTime(rdb) * 1000
                self.field(s, "expire time: %d s" % (expiretime // 1000))
                continue
            if t == R.RDB_OPCODE_IDLE:
                self.field(start, "IDLE opcode (0xf8): LRU idle time follows")
                self.read_len("idle seconds")
                continue
            if t == R.RDB_OPCODE_FREQ:
                s = rdb.pos
                f = self.data[R._need(rdb, 1)]
                self.field(start, "FREQ opcode (0xf9)")
                self.field(s, "LFU counter: %d" % f)
                continue
            if t == R.RDB_OPCODE_EOF:
                self.field(start, "EOF opcode (0xff)")
                break
            if t == R.RDB_OPCODE_SELECTDB:
                self.field(start, "SELECTDB opcode (0xfe)")
                dbid = self.read_len("db number")
                self.dbs.append(dbid)
                self.emit(None, None, "Selecting DB ID %d" % dbid, summary=True, offset=rdb.pos)
                continue
            if t == R.RDB_OPCODE_RESIZEDB:
                self.field(start, "RESIZEDB opcode (0xfb)")
                self.read_len("db size (keys)")
                self.read_len("expires size (keys with a TTL)")
                continue
            if t == R.RDB_OPCODE_AUX:
                self.step = "aux"
                self.field(start, "AUX opcode (0xfa)")
                k, _, _ = self.read_string("aux key")
                v, _, _ = self.read_string("aux value")
                self.aux.append((k, v))
                self.emit(None, None, "AUX FIELD %s = '%s'" % (k.decode("latin-1"),
                                                              v.decode("latin-1")),
                          summary=True, offset=rdb.pos)
                continue
            if t == R.RDB_OPCODE_MODULE_AUX:
                raise R.RdbLoadError(start, "MODULE_AUX data: pyredis has no modules")
            if t in (R.RDB_OPCODE_FUNCTION, R.RDB_OPCODE_FUNCTION2):
                self.field(start, "FUNCTION opcode")
                self.read_string("function library code")
                continue
            if not R.rdbIsObjectType(t):
                raise R.RdbLoadError(start, "Invalid object type: %d" % t)
            self.keytype = t
            self.field(start, "value type %d (%s)" % (t, R.RDB_TYPE_NAMES.get(t, "?")))
            self.step = "key"
            self.key, _, _ = self.read_string("key")
            self.step = "value"
            vstart = rdb.pos
            self.value(t)
            if self.verbose:
                self.emit(vstart, rdb.pos, None)
            self.keys += 1
            if expiretime != -1:
                self.expires += 1
                if expiretime < self.now:
                    self.already_expired += 1
            expiretime = -1
            self.key = None
        self.step = "check-sum"
        if ver >= 5:
            start = rdb.pos
            p = R._need(rdb, 8)
            stored = int.from_bytes(data[p:p + 8], "little")
            if stored == 0:
                self.field(start, "CRC64 checksum: 0 (saved with rdbchecksum no: not checked)")
                self.emit(None, None, "RDB file was saved with checksum disabled: no check "
                          "performed.", summary=True, offset=start)
            else:
                expected = crc64(0, memoryview(data)[:start])
                ok = expected == stored
                self.field(start, "CRC64 checksum %016x, computed %016x: %s"
                           % (stored, expected, "matches" if ok else "MISMATCH"))
                if not ok:
                    raise R.RdbLoadError(start, "RDB CRC error")
                self.emit(None, None, "Checksum OK", summary=True, offset=rdb.pos)
        if rdb.pos != len(data):
            self.emit(None, None, "%d bytes after the end of the RDB" % (len(data) - rdb.pos),
                      summary=True, offset=rdb.pos)

    def value(self, t):
        """Walk one value: with --dump, every element; otherwise a validating load."""
        rdb = self.rdb
        if not self.verbose:
            R.rdbLoadObject(t, rdb, self.key, 0)
            return
        if t == R.RDB_TYPE_STRING:
            self.read_string("value")
        elif t in (R.RDB_TYPE_LIST, R.RDB_TYPE_SET):
            n = self.read_len("element count")
            for i in range(n):
                self.read_string("element %d" % i)
        elif t in (R.RDB_TYPE_ZSET, R.RDB_TYPE_ZSET_2):
            n = self.read_len("member count")
            for i in range(n):
                self.read_string("member %d" % i)
                s = rdb.pos
                if t == R.RDB_TYPE_ZSET_2:
                    sc = R.rdbLoadBinaryDoubleValue(rdb)
                    self.field(s, "score (binary double, little endian): %.17g" % sc)
                else:
                    sc = R.rdbLoadDoubleValue(rdb)
                    self.field(s, "score (text double): %.17g" % sc)
        elif t == R.RDB_TYPE_HASH:
            n = self.read_len("field count")
            for i in range(n):
                self.read_string("field %d" % i)
                self.read_string("value %d" % i)
        elif t in (R.RDB_TYPE_LIST_QUICKLIST, R.RDB_TYPE_LIST_QUICKLIST_2):
            n = self.read_len("quicklist node count")
            for i in range(n):
                container = 2
                if t == R.RDB_TYPE_LIST_QUICKLIST_2:
                    s = rdb.pos
                    container = R.rdbLoadLen(rdb)
                    self.field(s, "node %d container: %d (%s)" % (
                        i, container, "plain" if container == 1 else "packed listpack"))
                blob, s, b = self.read_string("node %d payload" % i)
                if container == 2:
                    self.blob(blob, s, b, "listpack" if t == R.RDB_TYPE_LIST_QUICKLIST_2
                              else "ziplist")
        elif t in (R.RDB_TYPE_HASH_LISTPACK, R.RDB_TYPE_ZSET_LISTPACK):
            blob, s, b = self.read_string("listpack blob")
            self.blob(blob, s, b, "listpack")
        elif t in (R.RDB_TYPE_HASH_ZIPLIST, R.RDB_TYPE_ZSET_ZIPLIST, R.RDB_TYPE_LIST_ZIPLIST):
            blob, s, b = self.read_string("ziplist blob")
            self.blob(blob, s, b, "ziplist")
        elif t == R.RDB_TYPE_SET_INTSET:
            blob, s, b = self.read_string("intset blob")
            self.blob(blob, s, b, "intset")
        elif t == R.RDB_TYPE_HASH_ZIPMAP:
            blob, s, b = self.read_string("zipmap blob")
            self.blob(blob, s, b, "zipmap")
        else:
            raise R.RdbLoadError(rdb.pos, "The RDB file contains a %s value, which pyredis "
                                 "does not implement" % R.RDB_TYPE_NAMES.get(t, str(t)))

    def blob(self, blob, start, first_byte, kind):
        """Open up a compact-encoding blob: header and each entry."""
        from . import intset, listpack, ziplist, zipmap
        # Offsets inside the file are exact only for a verbatim string.
        base = None
        if first_byte is not None and first_byte >> 6 != 3:
            base = self.rdb.pos - len(blob)
        emit = self.emit

        def sub(off, end, meaning):
            if base is None:
                emit(None, None, "    +%04x  %-28s %s" % (off, _hex(blob[off:end]), meaning),
                     raw=True)
            else:
                emit(base + off, base + end, "  " + meaning, blob_bytes=blob[off:end])
        try:
            if kind == "listpack":
                if not listpack.lpValidateIntegrity(blob, True):
                    raise ValueError
                total, num = struct.unpack_from("<IH", blob)
                sub(0, 6, "listpack header: %d bytes, %d entries" % (total, num))
                p = 6
                i = 0
                while blob[p] != 0xFF:
                    value, size = listpack.lpGetValue(blob, p)
                    blen = len(listpack.lpEncodeBacklen(size))
                    what = ("int %d" % value) if isinstance(value, int) else _repr(value)
                    sub(p, p + size + blen, "entry %d: %s (%d+%d bytes: encoding+data, backlen)"
                        % (i, what, size, blen))
                    p += size + blen
                    i += 1
                sub(p, p + 1, "listpack end (0xff)")
            elif kind == "ziplist":
                vals = ziplist.ziplistDecode(blob)
                sub(0, 10, "ziplist header: %d bytes, %d entries" % (len(blob), len(vals)))
                emit(None, None, "      entries: %s" % ", ".join(_repr(v) for v in vals), raw=True)
            elif kind == "intset":
                vals = intset.intsetDecode(blob)
                enc = struct.unpack_from("<I", blob)[0]
                sub(0, 8, "intset header: %d-byte integers, %d members" % (enc, len(vals)))
                for i, v in enumerate(vals):
                    sub(8 + i * enc, 8 + (i + 1) * enc, "member %d: %d" % (i, v))
            elif kind == "zipmap":
                pairs = zipmap.zipmapDecode(blob)
                emit(None, None, "      zipmap pairs: %s" % ", ".join(
                    "%s=%s" % (_repr(k), _repr(v)) for k, v in pairs), raw=True)
        except (ValueError, IndexError, struct.error):
            raise R.RdbLoadError(start, "%s integrity check failed" % kind) from None


def _repr(b):
    s = repr(bytes(b))[2:-1]
    if len(s) > 60:
        s = s[:57] + "..."
    return "'" + s + "'"


def _hex(b):
    h = " ".join("%02x" % x for x in b[:12])
    return h + (" ..." if len(b) > 12 else "")


def _utc(ms):
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ms / 1000))
    except (OverflowError, ValueError, OSError):
        return "?"


def redis_check_rdb(filename, dump=False, out=sys.stdout):
    """Check `filename`; print Redis's report (or the --dump listing). 0 if OK, 1 if not
    (redis_check_rdb)."""
    w = out.write
    try:
        with open(filename, "rb") as f:
            data = f.read()
    except OSError as e:
        w("Cannot check RDB that is a directory or missing: %s\n" % e)
        return 1

    def emit(start, end, meaning, summary=False, offset=None, raw=False, blob_bytes=None):
        if raw:
            if dump:
                w(meaning + "\n")
            return
        if summary:
            if not dump:
                w("[offset %d] %s\n" % (offset, meaning))
            return
        if not dump or meaning is None:
            return
        chunk = blob_bytes if blob_bytes is not None else data[start:end]
        w("%06x  %-36s %s\n" % (start, _hex(chunk), meaning))

    if dump:
        w("offset  bytes (hex)                          meaning\n")
    else:
        w("[offset 0] Checking RDB file %s\n" % filename)
    walker = _Walker(data, emit, dump)
    try:
        walker.run()
    except R.RdbLoadError as e:
        w("--- RDB ERROR DETECTED ---\n")
        w("[offset %d] %s\n" % (e.offset, e.reason))
        w("[additional info] While doing: %s\n" % STEP_NAMES.get(walker.step, walker.step))
        if walker.key is not None:
            w("[additional info] Reading key '%s'\n" % walker.key.decode("latin-1"))
        if walker.keytype is not None:
            w("[additional info] Reading type %d (%s)\n" % (
                walker.keytype, R.RDB_TYPE_NAMES.get(walker.keytype, "unknown")))
        _info(w, walker)
        return 1
    if not dump:
        w("[offset %d] \\o/ RDB looks OK! \\o/\n" % walker.rdb.pos)
    _info(w, walker)
    return 0


def _info(w, walker):
    w("[info] %d keys read\n" % walker.keys)
    w("[info] %d expires\n" % walker.expires)
    w("[info] %d already expired\n" % walker.already_expired)


def main(argv=None):
    """Entry point: python -m pyredis.redis_check_rdb [--dump] <file.rdb>."""
    args = list(sys.argv[1:] if argv is None else argv)
    dump = False
    if "--dump" in args:
        args.remove("--dump")
        dump = True
    if len(args) != 1:
        sys.stderr.write("Usage: python -m pyredis.redis_check_rdb [--dump] <rdb-file-name>\n")
        return 1
    if not hasattr(server, "rdb_compression"):
        initConfigValues()
    server.verbosity = 3     # the loader's NOTICE lines would clutter the report
    return redis_check_rdb(args[0], dump)


if __name__ == "__main__":
    sys.exit(main())
