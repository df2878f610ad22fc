"""Pub/Sub: our pubsub.c.

Three tables on `server`, each channel/pattern -> {client: None}:
pubsub_channels, pubsub_patterns and pubsubshard_channels. A dict used as
an ordered set keeps subscription order (the order messages go out in,
like C's lists) and makes unsubscribing O(1) instead of C's list search.
Each client keeps the mirror image (c.pubsub_channels, c.pubsub_patterns,
c.pubsubshard_channels: dicts in subscription order) so a disconnect
unsubscribes everything without scanning the server tables.

In RESP2 a subscribed client may only run (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE,
PING, QUIT and RESET (processCommand enforces it); in RESP3 the messages
are push frames (`>`), distinguishable from replies, so the connection
stays usable for ordinary commands.

The shard variants (SSUBSCRIBE/SPUBLISH) behave like plain channels when
cluster mode is off, which is the only mode pyredis has; they never match
patterns.
"""

from .networking import (
    addReply, addReplyArrayLen, addReplyBulkCBuffer, addReplyError, addReplyHelp,
    addReplyLongLong, addReplySubcommandSyntaxError,
)
from .server_h import (
    CLIENT_CLOSE_ASAP, CLIENT_DENY_BLOCKING, CLIENT_FORCE_REPL, CLIENT_MASTER, CLIENT_MULTI,
    CLIENT_PENDING_WRITE, CLIENT_PUBSUB, CLIENT_PUSHING, CLIENT_REPLY_OFF, CLIENT_REPLY_SKIP,
    PROTO_REPLY_CHUNK_BYTES, server,
)
from .util import stringmatchlen


class pubsubtype:
    """What differs between global and shard channels (pubsubtype)."""
    __slots__ = ("shard", "client_attr", "server_attr", "subscribe_msg", "unsubscribe_msg",
                 "message_bulk")

    def __init__(self, shard, client_attr, server_attr, sub, unsub, msg):
        self.shard = shard
        self.client_attr = client_attr
        self.server_attr = server_attr
        self.subscribe_msg = sub
        self.unsubscribe_msg = unsub
        self.message_bulk = msg

    def subscriptionCount(self, c):
        if self.shard:
            return clientShardSubscriptionsCount(c)
        return clientSubscriptionsCount(c)


def _bulk(s):
    return b"$%d\r\n%s\r\n" % (len(s), s)


pubSubType = pubsubtype(0, "pubsub_channels", "pubsub_channels", _bulk(b"subscribe"),
                        _bulk(b"unsubscribe"), _bulk(b"message"))
pubSubShardType = pubsubtype(1, "pubsubshard_channels", "pubsubshard_channels",
                             _bulk(b"ssubscribe"), _bulk(b"sunsubscribe"), _bulk(b"smessage"))
_PMESSAGE = _bulk(b"pmessage")
_PSUBSCRIBE = _bulk(b"psubscribe")
_PUNSUBSCRIBE = _bulk(b"punsubscribe")


# ---------------------------------------------------------------------------
# Replies. These are pushes: CLIENT_PUSHING lets them through CLIENT REPLY
# OFF/SKIP, which silence replies but not messages.
# ---------------------------------------------------------------------------
_SILENCED = CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP
_FAST_MASK = (CLIENT_PENDING_WRITE | CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP | CLIENT_CLOSE_ASAP
              | CLIENT_MASTER)


def _push(c, payload2, payload3):
    """Add a message frame (RESP2 array or RESP3 push) even under CLIENT REPLY OFF."""
    old = c.flags
    c.flags = old | CLIENT_PUSHING
    addReply(c, payload2 if c.resp == 2 else payload3)
    if not (old & CLIENT_PUSHING):
        c.flags &= ~CLIENT_PUSHING


def addReplyPubsubMessage(c, channel, msg, message_bulk):
    """A `message`/`smessage` frame (addReplyPubsubMessage).

    With `msg` None the frame stops after the channel and the caller adds
    the payload itself (client tracking sends an array of keys there).
    """
    body = message_bulk + _bulk(channel) + (_bulk(msg) if msg is not None else b"")
    _push(c, b"*3\r\n" + body, b">3\r\n" + body)


def addReplyPubsubPatMessage(c, pat, channel, msg):
    """A `pmessage` frame (addReplyPubsubPatMessage)."""
    body = _PMESSAGE + _bulk(pat) + _bulk(channel) + _bulk(msg)
    _push(c, b"*4\r\n" + body, b">4\r\n" + body)


def addReplyPubsubSubscribed(c, channel, type):
    """The confirmation of one (S)SUBSCRIBE channel (addReplyPubsubSubscribed)."""
    body = type.subscribe_msg + _bulk(channel) + b":%d\r\n" % type.subscriptionCount(c)
    _push(c, b"*3\r\n" + body, b">3\r\n" + body)


def addReplyPubsubUnsubscribed(c, channel, type):
    """The confirmation of one (S)UNSUBSCRIBE channel; channel None means 'none left' (addReplyPubsubUnsubscribed)."""
    count = b":%d\r\n" % type.subscriptionCount(c)
    if channel is None:
        _push(c, b"*3\r\n" + type.unsubscribe_msg + b"$-1\r\n" + count,
              b">3\r\n" + type.unsubscribe_msg + b"_\r\n" + count)
    else:
        body = type.unsubscribe_msg + _bulk(channel) + count
        _push(c, b"*3\r\n" + body, b">3\r\n" + body)


def addReplyPubsubPatSubscribed(c, pattern):
    """The confirmation of one PSUBSCRIBE pattern (addReplyPubsubPatSubscribed)."""
    body = _PSUBSCRIBE + _bulk(pattern) + b":%d\r\n" % clientSubscriptionsCount(c)
    _push(c, b"*3\r\n" + body, b">3\r\n" + body)


def addReplyPubsubPatUnsubscribed(c, pattern):
    """The confirmation of one PUNSUBSCRIBE pattern (addReplyPubsubPatUnsubscribed)."""
    count = b":%d\r\n" % clientSubscriptionsCount(c)
    if pattern is None:
        _push(c, b"*3\r\n" + _PUNSUBSCRIBE + b"$-1\r\n" + count,
              b">3\r\n" + _PUNSUBSCRIBE + b"_\r\n" + count)
    else:
        body = _PUNSUBSCRIBE + _bulk(pattern) + count
        _push(c, b"*3\r\n" + body, b">3\r\n" + body)


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------
def serverPubsubSubscriptionCount():
    """Channels plus patterns with at least one subscriber (serverPubsubSubscriptionCount)."""
    return len(server.pubsub_channels) + len(server.pubsub_patterns)


def serverPubsubShardSubscriptionCount():
    return len(server.pubsubshard_channels)


def clientSubscriptionsCount(c):
    """Channels + patterns this client listens to; shard channels count apart (clientSubscriptionsCount)."""
    return len(c.pubsub_channels) + len(c.pubsub_patterns)


def clientShardSubscriptionsCount(c):
    return len(c.pubsubshard_channels)


def clientTotalPubSubSubscriptionCount(c):
    return clientSubscriptionsCount(c) + clientShardSubscriptionsCount(c)


# ---------------------------------------------------------------------------
# Subscribing and unsubscribing
# ---------------------------------------------------------------------------
def pubsubSubscribeChannel(c, channel, type):
    """Subscribe c to a channel; 1 if it was new (pubsubSubscribeChannel)."""
    retval = 0
    mine = getattr(c, type.client_attr)
    if channel not in mine:
        retval = 1
        mine[channel] = None
        table = getattr(server, type.server_attr)
        subs = table.get(channel)
        if subs is None:
            table[channel] = {c: None}
        else:
            subs[c] = None
    addReplyPubsubSubscribed(c, channel, type)
    return retval


def pubsubUnsubscribeChannel(c, channel, notify, type):
    """Unsubscribe c from a channel; 1 if it was subscribed (pubsubUnsubscribeChannel).

    A channel with no subscribers left is removed from the server table, so
    PUBSUB CHANNELS and memory only reflect live channels.
    """
    retval = 0
    mine = getattr(c, type.client_attr)
    if channel in mine:
        retval = 1
        del mine[channel]
        table = getattr(server, type.server_attr)
        subs = table[channel]
        del subs[c]
        if not subs:
            del table[channel]
    if notify:
        addReplyPubsubUnsubscribed(c, channel, type)
    return retval


def pubsubShardUnsubscribeAllClients(channel):
    """Drop every subscriber of a shard channel, telling each (pubsubShardUnsubscribeAllClients)."""
    subs = server.pubsubshard_channels.pop(channel, None)
    if not subs:
        return
    for c in list(subs):
        c.pubsubshard_channels.pop(channel, None)
        addReplyPubsubUnsubscribed(c, channel, pubSubShardType)
        if clientTotalPubSubSubscriptionCount(c) == 0:
            c.flags &= ~CLIENT_PUBSUB


def pubsubSubscribePattern(c, pattern):
    """Subscribe c to a glob pattern; 1 if it was new (pubsubSubscribePattern)."""
    retval = 0
    if pattern not in c.pubsub_patterns:
        retval = 1
        c.pubsub_patterns[pattern] = None
        subs = server.pubsub_patterns.get(pattern)
        if subs is None:
            server.pubsub_patterns[pattern] = {c: None}
        else:
            subs[c] = None
    addReplyPubsubPatSubscribed(c, pattern)
    return retval


def pubsubUnsubscribePattern(c, pattern, notify):
    """Unsubscribe c from a pattern; 1 if it was subscribed (pubsubUnsubscribePattern)."""
    retval = 0
    if pattern in c.pubsub_patterns:
        retval = 1
        del c.pubsub_patterns[pattern]
        subs = server.pubsub_patterns[pattern]
        del subs[c]
        if not subs:
            del server.pubsub_patterns[pattern]
    if notify:
        addReplyPubsubPatUnsubscribed(c, pattern)
    return retval


def pubsubUnsubscribeAllChannelsInternal(c, notify, type):
    """Unsubscribe from every channel of one kind; a lone null reply if there were none."""
    count = 0
    for channel in list(getattr(c, type.client_attr)):
        count += pubsubUnsubscribeChannel(c, channel, notify, type)
    if notify and count == 0:
        addReplyPubsubUnsubscribed(c, None, type)
    return count


def pubsubUnsubscribeAllChannels(c, notify):
    """UNSUBSCRIBE with no arguments, or a client going away (pubsubUnsubscribeAllChannels)."""
    return pubsubUnsubscribeAllChannelsInternal(c, notify, pubSubType)


def pubsubUnsubscribeShardAllChannels(c, notify):
    """SUNSUBSCRIBE with no arguments (pubsubUnsubscribeShardAllChannels)."""
    return pubsubUnsubscribeAllChannelsInternal(c, notify, pubSubShardType)


def pubsubUnsubscribeShardChannels(channels):
    """Drop shard channels and all their subscribers (pubsubUnsubscribeShardChannels)."""
    for channel in channels:
        pubsubShardUnsubscribeAllClients(channel)


def pubsubUnsubscribeAllPatterns(c, notify):
    """PUNSUBSCRIBE with no arguments (pubsubUnsubscribeAllPatterns)."""
    count = 0
    for pattern in list(c.pubsub_patterns):
        count += pubsubUnsubscribePattern(c, pattern, notify)
    if notify and count == 0:
        addReplyPubsubPatUnsubscribed(c, None)
    return count


def pubsub_free_client(c):
    """Everything freeClient and RESET must undo: all subscriptions, silently."""
    if c.pubsub_channels:
        pubsubUnsubscribeAllChannels(c, 0)
    if c.pubsubshard_channels:
        pubsubUnsubscribeShardAllChannels(c, 0)
    if c.pubsub_patterns:
        pubsubUnsubscribeAllPatterns(c, 0)


# ---------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------
def pubsubPublishMessageInternal(channel, message, type):
    """Deliver a message to a channel's subscribers, then to matching patterns (pubsubPublishMessageInternal).

    Returns the number of deliveries (a client subscribed to the channel
    and to two matching patterns counts three times, as in Redis).

    The frame is the same bytes for every subscriber of one protocol, so
    it is built once per publish rather than once per subscriber as C
    does with its shared objects; with many subscribers that is most of the
    cost.
    """
    receivers = 0
    subs = getattr(server, type.server_attr).get(channel)
    if subs:
        body = type.message_bulk + b"$%d\r\n%s\r\n$%d\r\n%s\r\n" % (
            len(channel), channel, len(message), message)
        frame2 = b"*3\r\n" + body
        frame3 = b">3\r\n" + body
        room = PROTO_REPLY_CHUNK_BYTES - len(frame2)     # both frames are as long
        # This loop runs once per delivered message, so the common case of
        # addReply (a subscriber already queued for writing, the frame fits
        # in its buffer or in the last node of its reply list) is written
        # out here; anything else (first message of this event-loop round,
        # a full node, CLIENT REPLY OFF, a closing client) takes addReply.
        # Iterating the live dict is safe: a subscriber over its output
        # limit is only scheduled for closing (freeClientAsync) from here.
        for c in subs:
            frame = frame2 if c.resp == 2 else frame3
            if (c.flags & _FAST_MASK) == CLIENT_PENDING_WRITE:
                reply = c.reply
                if not reply:
                    if len(c.buf) <= room:
                        c.buf += frame
                        continue
                else:
                    tail = reply[-1]
                    # (`type` is the pub/sub type here, as in C: not the builtin)
                    if len(tail) <= room and tail.__class__ is bytearray:
                        tail += frame
                        c.reply_bytes += len(frame)
                        continue
            if c.flags & _SILENCED:
                # CLIENT REPLY OFF/SKIP mutes replies, not messages.
                _push(c, frame2, frame3)
            else:
                addReply(c, frame)
        receivers = len(subs)
    if type.shard:
        return receivers
    patterns = server.pubsub_patterns
    if patterns:
        for pattern, clients in list(patterns.items()):
            if not stringmatchlen(pattern, channel):
                continue
            for c in list(clients):
                addReplyPubsubPatMessage(c, pattern, channel, message)
                receivers += 1
    return receivers


def pubsubPublishMessage(channel, message, sharded):
    """Publish to global or shard channels (pubsubPublishMessage)."""
    return pubsubPublishMessageInternal(channel, message,
                                        pubSubShardType if sharded else pubSubType)


def pubsubPublishMessageAndPropagateToCluster(channel, message, sharded):
    """Publish; with no cluster there is nothing else to tell (pubsubPublishMessageAndPropagateToCluster)."""
    return pubsubPublishMessage(channel, message, sharded)


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------
def subscribeCommand(c):
    """SUBSCRIBE channel [channel ...] (subscribeCommand)."""
    if c.flags & CLIENT_DENY_BLOCKING and not (c.flags & CLIENT_MULTI):
        # A client that must get exactly one reply per command (a script,
        # for instance) cannot enter the subscribed state. MULTI is let
        # through for backward compatibility, as in Redis.
        addReplyError(c, "SUBSCRIBE isn't allowed for a DENY BLOCKING client")
        return
    for channel in c.argv[1:]:
        pubsubSubscribeChannel(c, channel, pubSubType)
    c.flags |= CLIENT_PUBSUB


def unsubscribeCommand(c):
    """UNSUBSCRIBE [channel ...] (unsubscribeCommand)."""
    if len(c.argv) == 1:
        pubsubUnsubscribeAllChannels(c, 1)
    else:
        for channel in c.argv[1:]:
            pubsubUnsubscribeChannel(c, channel, 1, pubSubType)
    if clientTotalPubSubSubscriptionCount(c) == 0:
        c.flags &= ~CLIENT_PUBSUB


def psubscribeCommand(c):
    """PSUBSCRIBE pattern [pattern ...] (psubscribeCommand)."""
    if c.flags & CLIENT_DENY_BLOCKING and not (c.flags & CLIENT_MULTI):
        addReplyError(c, "PSUBSCRIBE isn't allowed for a DENY BLOCKING client")
        return
    for pattern in c.argv[1:]:
        pubsubSubscribePattern(c, pattern)
    c.flags |= CLIENT_PUBSUB


def punsubscribeCommand(c):
    """PUNSUBSCRIBE [pattern ...] (punsubscribeCommand)."""
    if len(c.argv) == 1:
        pubsubUnsubscribeAllPatterns(c, 1)
    else:
        for pattern in c.argv[1:]:
            pubsubUnsubscribePattern(c, pattern, 1)
    if clientTotalPubSubSubscriptionCount(c) == 0:
        c.flags &= ~CLIENT_PUBSUB


def publishCommand(c):
    """PUBLISH channel message (publishCommand).

    PUBLISH changes no key, yet replicas must see it (their subscribers
    want the message too): forceCommandPropagation asks for replication.
    """
    receivers = pubsubPublishMessageAndPropagateToCluster(c.argv[1], c.argv[2], 0)
    forceCommandPropagation(c)
    addReplyLongLong(c, receivers)


def spublishCommand(c):
    """SPUBLISH shardchannel message (spublishCommand)."""
    receivers = pubsubPublishMessageAndPropagateToCluster(c.argv[1], c.argv[2], 1)
    forceCommandPropagation(c)
    addReplyLongLong(c, receivers)


def forceCommandPropagation(c):
    """Replicate this command even though it did not dirty the dataset (forceCommandPropagation, REPL only)."""
    c.flags |= CLIENT_FORCE_REPL


def ssubscribeCommand(c):
    """SSUBSCRIBE shardchannel [shardchannel ...] (ssubscribeCommand)."""
    if c.flags & CLIENT_DENY_BLOCKING:
        addReplyError(c, "SSUBSCRIBE isn't allowed for a DENY BLOCKING client")
        return
    for channel in c.argv[1:]:
        pubsubSubscribeChannel(c, channel, pubSubShardType)
    c.flags |= CLIENT_PUBSUB


def sunsubscribeCommand(c):
    """SUNSUBSCRIBE [shardchannel ...] (sunsubscribeCommand)."""
    if len(c.argv) == 1:
        pubsubUnsubscribeShardAllChannels(c, 1)
    else:
        for channel in c.argv[1:]:
            pubsubUnsubscribeChannel(c, channel, 1, pubSubShardType)
    if clientTotalPubSubSubscriptionCount(c) == 0:
        c.flags &= ~CLIENT_PUBSUB


PUBSUB_HELP = [
    "CHANNELS [<pattern>]",
    "    Return the currently active channels matching a <pattern> (default: '*').",
    "NUMPAT",
    "    Return number of subscriptions to patterns.",
    "NUMSUB [<channel> ...]",
    "    Return the number of subscribers for the specified channels, excluding",
    "    pattern subscriptions(default: no channels).",
    "SHARDCHANNELS [<pattern>]",
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    "SHARDNUMSUB [<shardchannel> ...]",
    "    Return the number of subscribers for the specified shard level channel(s)",
]


def channelList(c, pat, table):
    """Reply with the channels of `table` matching `pat` (all if None) (channelList)."""
    if pat is None:
        names = list(table)
    else:
        names = [ch for ch in table if stringmatchlen(pat, ch)]
    addReplyArrayLen(c, len(names))
    for ch in names:
        addReplyBulkCBuffer(c, ch)


def _numsub(c, table):
    argv = c.argv
    addReplyArrayLen(c, (len(argv) - 2) * 2)
    for ch in argv[2:]:
        subs = table.get(ch)
        addReplyBulkCBuffer(c, ch)
        addReplyLongLong(c, len(subs) if subs else 0)


def pubsubCommand(c):
    """PUBSUB HELP|CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB (pubsubCommand).

    Every PUBSUB subcommand's spec names this one function, so it
    dispatches on the subcommand itself, as C does.
    """
    argv = c.argv
    argc = len(argv)
    sub = argv[1].lower()
    if argc == 2 and sub == b"help":
        addReplyHelp(c, PUBSUB_HELP)
    elif sub == b"channels" and argc in (2, 3):
        channelList(c, argv[2] if argc == 3 else None, server.pubsub_channels)
    elif sub == b"numsub" and argc >= 2:
        _numsub(c, server.pubsub_channels)
    elif sub == b"numpat" and argc == 2:
        addReplyLongLong(c, len(server.pubsub_patterns))
    elif sub == b"shardchannels" and argc in (2, 3):
        channelList(c, argv[2] if argc == 3 else None, server.pubsubshard_channels)
    elif sub == b"shardnumsub" and argc >= 2:
        _numsub(c, server.pubsubshard_channels)
    else:
        addReplySubcommandSyntaxError(c)
