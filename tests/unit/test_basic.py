"""First smoke tests of the core over TCP with redis-py."""


def test_ping_echo(r):
    assert r.ping() is True
    assert r.echo("hello") == b"hello"


def test_set_get(r):
    assert r.set("foo", "bar") is True
    assert r.get("foo") == b"bar"
    assert r.get("nokey") is None


def test_incr_and_encoding(r):
    r.set("n", "41")
    assert r.incr("n") == 42
    assert r.object("encoding", "n") == b"int"
    r.set("s", "x" * 44)
    assert r.object("encoding", "s") == b"embstr"
    r.set("s", "x" * 45)
    assert r.object("encoding", "s") == b"raw"


def test_expire_and_ttl(r):
    r.set("k", "v", ex=100)
    assert 99 <= r.ttl("k") <= 100
    assert r.persist("k") is True
    assert r.ttl("k") == -1
    assert r.ttl("missing") == -2
