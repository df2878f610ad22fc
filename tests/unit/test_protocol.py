"""The RESP2/inline request parser under abuse, compared with real Redis 7.0.

Each abusive input is sent on a fresh socket to both servers; what comes
back and whether the server closes the connection must be the same. After
the abuse the server must still serve other clients.
"""

import socket
import time

import pytest

from helpers.differential import assert_same, script_of

ABUSE = [
    b"*abc\r\n", b"*-1\r\nPING\r\n", b"*0\r\nPING\r\n", b"*1\r\nx$3\r\n", b"*1\r\n$abc\r\n",
    b"*1\r\n$-1\r\n", b"*1\r\n$2147483648\r\n", b"*1\r\n$536870913\r\n", b"*1048577\r\n",
    b"*3000000000\r\n", b"PING\r\n", b"  PING  \r\n", b"\r\n\r\nPING\r\n", b"\n",
    b"SET a \"b c\"\r\nGET a\r\n", b"SET a 'x y'\r\nGET a\r\n", b"ECHO \"unbalanced\r\n",
    b"ECHO 'unbal\r\n", b"ECHO \"a\"b\r\n", b"ECHO \"\\x41\\n\"\r\n", b"ECHO 'it\\'s'\r\n",
    b"PING\nPING\n", b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPIN", b"x" * (65 * 1024),
    b"*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n", b"*1\r\n$4\r\nPING\r",
    b"*2\r\n$4\r\nECHO\r\n+abc\r\n", b"*1\r\n$0\r\n\r\n", b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
    b"*-5\r\nPING\r\n", b"*1\r\n$-5\r\n", b"*1\r\n$ 4\r\nPING\r\n", b"*+1\r\n$4\r\nPING\r\n",
    b"*01\r\n$04\r\nPING\r\n", b"\x00PING\r\n", b"ECHO a\x00b\r\n", b"ECHO \"\\xZZ\"\r\n",
    b"ECHO \"a\" \"b\"\r\n", b"ECHO \"\"\r\n", b"QUIT\r\nPING\r\n",
    b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n",
    b"*2\r\n$4\r\nECHO\r\n$3\r\nab\r\r\n", b"*1\r\n*1\r\n", b"$4\r\nPING\r\n",
    b"SET k \"\\xff\\x00\"\r\nSTRLEN k\r\n", b"*1\r\n$4\r\nPING\r\n" * 3 + b"*abc\r\nPING\r\n",
    b"GET " + b"k" * 70000 + b"\r\n", b"*2\r\n$4\r\nECHO\r\n$70000\r\n" + b"y" * 70000 + b"\r\n",
    b"*100000\r\n", b"*1\r\n$1048577\r\n",
]


def _blast(port, inputs, settle=0.6):
    """Send each input on its own socket; return [(bytes received, closed?)]."""
    socks = []
    for data in inputs:
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(data)
        s.setblocking(False)
        socks.append(s)
    results = [[b"", False] for _ in inputs]
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if results[i][1]:
                continue
            try:
                d = s.recv(1 << 20)
                if d:
                    results[i][0] += d
                else:
                    results[i][1] = True
            except BlockingIOError:
                pass
            except ConnectionResetError:
                results[i][1] = True
        time.sleep(0.01)
    for s in socks:
        s.close()
    return [tuple(r) for r in results]


def _port(conn):
    return conn.sock.getpeername()[1]


def test_abusive_inputs_same_replies_and_closing(pair):
    ours, theirs = pair
    a = _blast(_port(ours), ABUSE)
    b = _blast(_port(theirs), ABUSE)
    bad = [(ABUSE[i][:60], a[i], b[i]) for i in range(len(ABUSE)) if a[i] != b[i]]
    assert not bad, "\n".join(repr(x) for x in bad)
    # The server survived all of it.
    assert ours.call("PING") == b"+PONG\r\n"


def test_pipeline_1000_commands_in_one_write(pair):
    for conn in pair:
        payload = b"INCR n\r\n" * 500 + b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n" * 500
        conn.send(payload)
        replies = [conn.read_reply() for _ in range(1000)]
        assert replies[-1] == b":1000\r\n"
        assert replies[0] == b":1\r\n"


def test_command_split_byte_by_byte(server):
    conn = server.raw()
    try:
        cmd = b"*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$7\r\na\r\nb\x00cd\r\n"
        for i in range(len(cmd)):
            conn.send(cmd[i:i + 1])
        assert conn.read_reply() == b"+OK\r\n"
        for ch in b"GET split\r\n":
            conn.send(bytes([ch]))
        assert conn.read_reply() == b"$7\r\na\r\nb\x00cd\r\n"
    finally:
        conn.close()


def test_binary_safe_keys_and_values(pair):
    key = "k\r\n\x00\xff"
    assert_same(pair, [("SET", key, "v\r\n\x00"), ("GET", key), ("STRLEN", key),
                       ("APPEND", key, "\x00\r\n"), ("GET", key), ("EXISTS", key),
                       ("KEYS", "k*"), ("RENAME", key, "\x00"), ("GET", "\x00")])


def test_proto_max_bulk_len(pair):
    for conn in pair:
        assert conn.call("CONFIG", "SET", "proto-max-bulk-len", "1mb") == b"+OK\r\n"
    try:
        assert_same(pair, script_of(["SETRANGE k 1048576 x", "APPEND k2 x",
                                     ("SET", "k3", "x" * 1024)]))
        # A bulk over the limit is a protocol error and the connection closes.
        inputs = [b"*2\r\n$4\r\nECHO\r\n$1048577\r\n", b"*2\r\n$4\r\nECHO\r\n$1048576\r\n"]
        a = _blast(_port(pair[0]), inputs)
        b = _blast(_port(pair[1]), inputs)
        assert a == b
        assert a[0] == (b"-ERR Protocol error: invalid bulk length\r\n", True)
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "proto-max-bulk-len", "512mb")
    assert pair[0].call("PING") == b"+PONG\r\n"


def test_client_query_buffer_limit(pair):
    for conn in pair:
        assert conn.call("CONFIG", "SET", "client-query-buffer-limit", "1mb") == b"+OK\r\n"
    try:
        # An unfinished 3 MB bulk grows the query buffer past the limit.
        big = b"*2\r\n$4\r\nECHO\r\n$3000000\r\n" + b"z" * 2_000_000
        inputs = [big, b"*3\r\n$3\r\nSET\r\n$1\r\nq\r\n$900000\r\n" + b"q" * 900_000 + b"\r\n"]
        a = _blast(_port(pair[0]), inputs, settle=1.5)
        b = _blast(_port(pair[1]), inputs, settle=1.5)
        assert a == b
        assert a[0] == (b"", True)
        assert a[1] == (b"+OK\r\n", False)
    finally:
        for conn in pair:
            conn.call("CONFIG", "SET", "client-query-buffer-limit", "1gb")
    assert pair[0].call("PING") == b"+PONG\r\n"


def test_client_disconnects_mid_command(server):
    for partial in (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc", b"SET k v", b"*2\r\n"):
        s = socket.create_connection(("127.0.0.1", server.port))
        s.sendall(partial)
        s.close()
    conn = server.raw()
    try:
        assert conn.call("PING") == b"+PONG\r\n"
        assert conn.call("SET", "after", "1") == b"+OK\r\n"
    finally:
        conn.close()


def test_big_value_10mb(pair):
    value = b"0123456789" * 1_000_000
    ours, theirs = pair
    for conn in pair:
        assert conn.call("SET", "big", value) == b"+OK\r\n"
    assert ours.call("STRLEN", "big") == theirs.call("STRLEN", "big") == b":10000000\r\n"
    reply = ours.call("GET", "big")
    assert reply == b"$10000000\r\n" + value + b"\r\n"
    assert ours.call("GETRANGE", "big", "-5", "-1") == b"$5\r\n56789\r\n"


@pytest.mark.parametrize("line", [b"ECHO \"\\x41\\x4a\"", b"SET q \"a\\tb\"", b"ECHO 'a\"b'",
                                  b"ECHO \"a'b\"", b"ECHO \"\\\\\"", b"ECHO a\tb"])
def test_inline_quoting(pair, line):
    outs = []
    for conn in pair:
        conn.send(line + b"\r\n")
        outs.append(conn.read_reply())
    assert outs[0] == outs[1]


def _cmd(*args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


# One write holding what the batch parser takes (plain small commands) and
# everything it must hand to the per-command parser: an argument holding
# CRLF, one ending in CR, a length past the small range, a bulk whose two
# trailing bytes are not CRLF (Redis skips them unchecked), an empty
# command, an inline command in between. (A non-canonical header such as
# "$03" is a protocol error that closes the connection: see ABUSE.)
MIXED_PIPELINE = (
    _cmd(b"SET", b"a", b"1") + _cmd(b"SET", b"b", b"x\r\ny") + _cmd(b"GET", b"b")
    + _cmd(b"SET", b"c", b"z" * 20000) + _cmd(b"STRLEN", b"c") + _cmd(b"SET", b"d", b"e\r")
    + _cmd(b"GET", b"d") + _cmd(b"INCR", b"a")
    + b"*3\r\n$3\r\nSET\r\n$1\r\nf\r\n$3\r\nabcXY" + _cmd(b"GET", b"f") + b"*0\r\n"
    + b"PING\r\n" + _cmd(b"MSET", b"g", b"1", b"h", b"2", b"i", b"3") + _cmd(b"MGET", b"g", b"h", b"i")
    + _cmd(b"ECHO", b"") + _cmd(b"GET", b"a")
)
MIXED_REPLIES = 15


def test_batch_parser_hands_odd_commands_to_the_full_parser(pair):
    """The pipelined batch path (split_multibulk_batch) and the per-command
    parser together give Redis's replies, in order, for a mixed burst."""
    got = []
    for conn in pair:
        conn.send(MIXED_PIPELINE)
        got.append([conn.read_reply() for _ in range(MIXED_REPLIES)])
    assert got[0] == got[1]
    assert got[0][2] == b"$4\r\nx\r\ny\r\n" and got[0][-1] == b"$1\r\n2\r\n"


def test_batch_parser_same_bytes_split_at_every_offset(server):
    """Whatever read boundaries the burst arrives with, the replies are the same."""
    conn = server.raw()
    try:
        conn.call("FLUSHALL")
        conn.send(MIXED_PIPELINE)
        expected = [conn.read_reply() for _ in range(MIXED_REPLIES)]
        for cut in range(1, len(MIXED_PIPELINE), 997):
            conn.call("FLUSHALL")
            conn.send(MIXED_PIPELINE[:cut])
            conn.send(MIXED_PIPELINE[cut:])
            assert [conn.read_reply() for _ in range(MIXED_REPLIES)] == expected, cut
    finally:
        conn.close()


def test_pipeline_behind_a_blocked_command_waits_for_it(server):
    """Commands pipelined after BLPOP stay in the query buffer until it is served."""
    a, b = server.raw(), server.raw()
    try:
        a.call("DEL", "q", "after")
        a.send(_cmd(b"BLPOP", b"q", b"0") + _cmd(b"SET", b"after", b"1") + _cmd(b"GET", b"after"))
        deadline = time.monotonic() + 10
        while b"flags=b" not in b.call("CLIENT", "LIST"):
            assert time.monotonic() < deadline, "BLPOP never blocked"
        assert b.call("EXISTS", "after") == b":0\r\n"
        assert b.call("LPUSH", "q", "v") == b":1\r\n"
        assert a.read_reply() == b"*2\r\n$1\r\nq\r\n$1\r\nv\r\n"
        assert a.read_reply() == b"+OK\r\n"
        assert a.read_reply() == b"$1\r\n1\r\n"
    finally:
        a.close()
        b.close()
