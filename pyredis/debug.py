"""DEBUG: our debug.c (the persistence subcommands; other subcommands plug in here).

DEBUG is protected: processCommand refuses it unless enable-debug-command
allows it. debugCommand dispatches on the subcommand name through
DEBUG_SUBCOMMANDS, so each part of the server can add its own.
"""

from .networking import addReplyError, addReplyStatus

DEBUG_SUBCOMMANDS = {}


def debugDigest(c):
    """DEBUG DIGEST: a hex signature of the whole dataset (computeDatasetDigest)."""
    from .rdb import computeDatasetDigest
    addReplyStatus(c, computeDatasetDigest().hex())


def debugDigestValue(c):
    """DEBUG DIGEST-VALUE key...: one signature per value."""
    from .rdb import debugDigestValue as fn
    fn(c)


def debugReload(c):
    """DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush, load the RDB again."""
    from .rdb import debugReload as fn
    fn(c)


DEBUG_SUBCOMMANDS.update({
    b"digest": (2, debugDigest),
    b"digest-value": (-2, debugDigestValue),
    b"reload": (-2, debugReload),
})


def debugCommand(c):
    """DEBUG <subcommand> ... (debugCommand)."""
    sub = c.argv[1].lower()
    entry = DEBUG_SUBCOMMANDS.get(sub)
    argc = len(c.argv)
    if entry is None or (entry[0] > 0 and argc != entry[0]) or argc < -entry[0]:
        addReplyError(c, "Unknown subcommand or wrong number of arguments for '%s'. Try DEBUG "
                      "HELP." % c.argv[1].decode("latin-1"))
        return
    entry[1](c)
