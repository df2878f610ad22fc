"""MULTI/EXEC/WATCH: our multi.c (the WATCH hooks; the commands come with the transactions issue).

db.watched_keys maps key -> list of clients watching it; a write to a
watched key (signalModifiedKey -> touchWatchedKey) marks each watcher
CLIENT_DIRTY_CAS so its EXEC fails.
"""

from .server_h import CLIENT_DIRTY_CAS


def touchWatchedKey(db, key):
    """Mark every client watching `key` dirty (touchWatchedKey)."""
    clients = db.watched_keys.get(key)
    if clients:
        for c in clients:
            c.flags |= CLIENT_DIRTY_CAS


def touchAllWatchedKeysInDb(emptied, replaced_with):
    """After a flush or swap, dirty watchers of keys that changed (touchAllWatchedKeysInDb)."""
    if not emptied.watched_keys:
        return
    for key, clients in list(emptied.watched_keys.items()):
        exists_in_emptied = key in emptied.dict
        exists_in_replacement = replaced_with is not None and key in replaced_with.dict
        if exists_in_emptied or exists_in_replacement:
            for c in clients:
                c.flags |= CLIENT_DIRTY_CAS
