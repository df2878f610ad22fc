"""Pub/Sub: our pubsub.c (publishing, which notifications need; the commands come later)."""

from .server_h import server


def pubsubPublishMessage(channel, message, sharded):
    """Deliver `message` to the subscribers of `channel` and matching patterns (pubsubPublishMessage).

    Returns the number of clients that received it.
    """
    receivers = 0
    table = server.pubsubshard_channels if sharded else server.pubsub_channels
    subs = table.get(channel)
    if subs:
        from .networking import addReplyBulkCBuffer, addReplyPushLen
        for c in list(subs):
            addReplyPushLen(c, 3)
            addReplyBulkCBuffer(c, b"smessage" if sharded else b"message")
            addReplyBulkCBuffer(c, channel)
            addReplyBulkCBuffer(c, message)
            receivers += 1
    if not sharded and server.pubsub_patterns:
        from .networking import addReplyBulkCBuffer, addReplyPushLen
        from .util import stringmatchlen
        for pattern, clients in list(server.pubsub_patterns.items()):
            if not stringmatchlen(pattern, channel):
                continue
            for c in list(clients):
                addReplyPushLen(c, 4)
                addReplyBulkCBuffer(c, b"pmessage")
                addReplyBulkCBuffer(c, pattern)
                addReplyBulkCBuffer(c, channel)
                addReplyBulkCBuffer(c, message)
                receivers += 1
    return receivers
