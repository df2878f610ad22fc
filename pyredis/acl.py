"""Authentication: the part of acl.c pyredis has (AUTH with requirepass).

Redis 7.0 implements `requirepass` as the password of the ACL "default"
user. We keep that model in miniature: one user, "default", whose password
is requirepass; full ACL users and rules are not implemented.
"""

import hmac

from .server_h import server, shared
from .networking import addReply, addReplyError, addReplyErrorObject, redactClientCommandArgument


def checkPasswordAndAuthenticate(c, username, password):
    """Authenticate c as `username`; reply the error and return False on failure."""
    if isinstance(username, (bytes, bytearray)):
        username = username.decode("utf-8", "surrogateescape")
    pw = server.requirepass
    if username == "default":
        if pw is None:
            ok = True
        else:
            # Compare in constant time, as Redis's time_independent_strcmp.
            ok = hmac.compare_digest(password, pw.encode("utf-8", "surrogateescape"))
    else:
        ok = False
    if not ok:
        server.stat_auth_failures = getattr(server, "stat_auth_failures", 0) + 1
        addReplyError(c, "-WRONGPASS invalid username-password pair or user is disabled.")
        return False
    c.authenticated = 1
    return True


def authCommand(c):
    """AUTH [username] password (authCommand)."""
    argv = c.argv
    if len(argv) > 3:
        addReplyErrorObject(c, shared.syntaxerr)
        return
    # The password (and user name) never reach MONITOR or the slow log,
    # even when the command fails.
    redactClientCommandArgument(c, 1)
    if len(argv) == 2:
        if server.requirepass is None:
            addReplyError(c, "AUTH <password> called without any password configured for the "
                          "default user. Are you sure your configuration is correct?")
            return
        username, password = b"default", argv[1]
    else:
        username, password = argv[1], argv[2]
        redactClientCommandArgument(c, 2)
    if checkPasswordAndAuthenticate(c, username, password):
        addReply(c, shared.ok)
