"""python -m pyredis.redis_check_rdb: the same verdicts as redis-check-rdb, and the --dump walk."""

import os
import subprocess
import sys

import pytest
from helpers.servers import REDIS_SERVER, ROOT, Server
from rdb_helpers import REDIS_CHECK_RDB, build_full_dataset, make_rdb, old_format_body, s


def check(path, *opts):
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-m", "pyredis.redis_check_rdb", *opts, str(path)],
                       capture_output=True, text=True, timeout=120, env=env)
    return p.returncode, p.stdout


@pytest.fixture(scope="module")
def article_rdb(tmp_path_factory):
    """The article's example saved by pyredis: set hello redis, a small hash, save."""
    d = tmp_path_factory.mktemp("article")
    srv = Server("pyredis", dir=str(d))
    try:
        c = srv.client()
        c.set("hello", "redis")
        try:
            c.execute_command("HMSET", "userinfo", "uid", 1, "name", "zs", "age", 32)
        except Exception:   # before t_hash lands: the same value through RESTORE
            from pyredis.crc64 import crc64
            from pyredis.listpack import lpEncode
            blob = lpEncode([b"uid", b"1", b"name", b"zs", b"age", b"32"])
            body = b"\x10" + bytes([len(blob)]) + blob + b"\x0a\x00"
            c.restore("userinfo", 0, body + crc64(0, body).to_bytes(8, "little"))
        assert c.save()
    finally:
        srv.stop()
    return d / "dump.rdb"


def test_check_reports_like_redis(article_rdb):
    code, out = check(article_rdb)
    assert code == 0
    assert "[offset 0] Checking RDB file" in out
    assert "AUX FIELD redis-ver = '7.0.15'" in out
    assert "AUX FIELD aof-base = '0'" in out
    assert "Selecting DB ID 0" in out
    assert "Checksum OK" in out
    assert "\\o/ RDB looks OK! \\o/" in out
    assert "[info] 2 keys read" in out
    if REDIS_CHECK_RDB:
        theirs = subprocess.run([REDIS_CHECK_RDB, str(article_rdb)], capture_output=True,
                                text=True).stdout
        # Same lines apart from the tool's own banner details.
        want = [ln for ln in theirs.splitlines() if ln.startswith(("[offset", "[info]"))]
        got = [ln for ln in out.splitlines() if ln.startswith(("[offset", "[info]"))]
        assert [ln.split("] ", 1)[1] for ln in got[1:]] == [ln.split("] ", 1)[1] for ln in want[1:]]
        assert got[1:] == want[1:]


def test_dump_walks_every_field(article_rdb):
    code, out = check(article_rdb, "--dump")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith('000000  52 45 44 49 53 30 30 31 30')
    assert 'magic "REDIS", RDB version 10' in lines[1]
    text = "\n".join(lines)
    for needle in ("AUX opcode (0xfa)", "aux key (length 9): 'redis-ver'",
                   "SELECTDB opcode (0xfe)", "RESIZEDB opcode (0xfb)", "db size (keys): 2",
                   "value type 0 (string)", "key (length 5): 'hello'", "value (length 5): 'redis'",
                   "value type 16 (hash-listpack)", "key (length 8): 'userinfo'",
                   "listpack header: 31 bytes, 6 entries", "entry 0: 'uid'", "entry 1: int 1",
                   "entry 5: int 32", "listpack end (0xff)", "EOF opcode (0xff)", "matches"):
        assert needle in text, needle
    # Offsets are contiguous: each field starts where the previous top-level one ended.
    data = article_rdb.read_bytes()
    assert lines[-4].startswith("%06x" % (len(data) - 8))


def test_check_old_formats(tmp_path):
    body, expected = old_format_body()
    path = tmp_path / "old.rdb"
    path.write_bytes(make_rdb(6, body))
    code, out = check(path)
    assert code == 0, out
    assert "[info] %d keys read" % (len(expected) + 1) in out
    assert "[info] 1 already expired" in out
    code, out = check(path, "--dump")
    assert code == 0, out
    for needle in ("zipmap pairs", "intset header", "ziplist header", "EXPIRETIME opcode (0xfd)",
                   "score (text double): inf"):
        assert needle in out, needle


def test_corrupt_files(tmp_path):
    good = make_rdb(10, b"\xfe\x00" + b"\x00" + s("key") + s("value"))
    path = tmp_path / "bad.rdb"
    path.write_bytes(good[:-12])
    code, out = check(path)
    assert code == 1
    assert "--- RDB ERROR DETECTED ---" in out
    assert "Unexpected EOF reading RDB file" in out
    flipped = bytearray(good)
    flipped[good.index(b"value")] ^= 0x20
    path.write_bytes(bytes(flipped))
    code, out = check(path)
    assert code == 1
    assert "RDB CRC error" in out
    path.write_bytes(b"NOTREDIS0010")
    code, out = check(path)
    assert code == 1
    assert "Wrong signature" in out
    if REDIS_CHECK_RDB:
        assert subprocess.run([REDIS_CHECK_RDB, str(path)], capture_output=True).returncode == 1


@pytest.mark.skipif(not REDIS_SERVER, reason="redis-server is not installed")
def test_check_real_redis_file(tmp_path):
    srv = Server("redis", dir=str(tmp_path))
    try:
        c = srv.client()
        build_full_dataset(c)
        n = sum(v["keys"] for v in c.info("keyspace").values())
        assert c.save()
    finally:
        srv.stop()
    code, out = check(tmp_path / "dump.rdb")
    assert code == 0, out
    assert "[info] %d keys read" % n in out
    code, out = check(tmp_path / "dump.rdb", "--dump")
    assert code == 0, out
    assert "quicklist node count" in out
    assert "score (binary double, little endian)" in out
