"""Visits and recruiter-link openings, written in batches after the response (issue 16).

A page view that counts (`visits.record_visit`) and a recruiter link's opening
(`publishing.resolve_recruiter`) only join this process's buffer; a thread of the process writes
what the buffer holds every VISIT_FLUSH_SECONDS: the visits in one `insert_many` into the outbox
(or counted there and then when there is no broker), the openings as one `$inc` per link. One
write per batch instead of one per request is what lets a counted page serve nearly as fast as a
bare read (scripts/bench_ratios.py); the visits then count exactly once as before
(app/services/visits.py).

The bound, documented in the README: a web process killed outright (SIGKILL, out of memory)
loses the visits and openings of its last VISIT_FLUSH_SECONDS; one that exits normally (a
graceful restart, SIGTERM) writes them first. A forked child starts with an empty buffer: what
the parent held is the parent's to write. With VISIT_FLUSH_SECONDS = 0, or under a server that
runs no threads of the app (uWSGI without `enable-threads`), each request writes its own, as it
did before.
"""
import atexit
import functools
import logging
import os
import threading
import time
import weakref
from collections import defaultdict

import pymongo
from bson import ObjectId
from flask import current_app
from pymongo import UpdateOne

from ..models import RecruiterLink

log = logging.getLogger(__name__)

# A link's openings are acknowledged by the primary, not waited on until a majority holds them
# (visits.OUTBOX_WRITE_CONCERN's trade): a mongod crash may lose those of its last ~100 ms.
OPENINGS_WRITE_CONCERN = pymongo.WriteConcern(w=1)
# How long a batch may wait for MongoDB (or less: the request's deadline, when written in it).
STORE_TIMEOUT_SECONDS = 1


class VisitBuffer:
    """What this process's requests counted and no one has written yet."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._visits = []
        self._openings = _openings()
        # Held through a whole flush, not only the swap: the exit's flush waits for the batch
        # the thread is writing (daemon threads stop at exit).
        self._flushing = threading.Lock()
        self._thread = None

    def add_visit(self, record):
        if not _in_background(self.app):
            self._write([record], {})  # this request's own, not another thread's batch
            return
        with self._lock:
            self._visits.append(record)
        self._start_flushing()

    def add_opening(self, link_id, at):
        if not _in_background(self.app):
            self._write([], {link_id: {"count": 1, "first": at, "last": at}})
            return
        with self._lock:
            opening = self._openings[link_id]
            opening["count"] += 1
            opening["first"] = min(opening["first"] or at, at)
            opening["last"] = max(opening["last"] or at, at)
        self._start_flushing()

    def flush(self):
        """Write what the buffer holds now (the flushing thread, atexit, and the tests)."""
        with self._flushing:
            with self._lock:
                visits, self._visits = self._visits, []
                openings, self._openings = self._openings, _openings()
            if visits or openings:
                self._write(visits, openings)

    def _write(self, visits, openings):
        with self.app.app_context():
            # Each apart: openings that could not be written never keep the visits from it.
            for what, write, batch in (("visits", _write_visits, visits),
                                       ("recruiter-link openings", _write_openings, openings)):
                if batch:
                    try:
                        write(batch)
                    except Exception:  # logged; the other kind, and the next batch, are written
                        log.exception("%d buffered %s not written", len(batch), what)

    def _start_flushing(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._flush_forever, daemon=True,
                                            name="vitrine-visit-buffer")
            self._thread.start()

    def _flush_forever(self):
        delay = self.app.config["VISIT_FLUSH_SECONDS"]
        while True:
            time.sleep(delay)
            try:
                self.flush()
            except Exception:  # the thread must outlive any one failure
                log.exception("Buffered visits not written")

    def _forget_after_fork(self):
        """In a forked child: the parent writes what it held; this process starts afresh."""
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._visits = []
        self._openings = _openings()
        self._thread = None


def _openings():
    """Link id -> its openings in this batch: how many, the first and the last."""
    return defaultdict(lambda: {"count": 0, "first": None, "last": None})


def _in_background(app):
    return app.config["VISIT_FLUSH_SECONDS"] > 0 and _threads_run()


@functools.cache
def _threads_run():
    """uWSGI runs no thread an application starts unless told to (`enable-threads`, or more than
    one thread per worker). Asked once per process: a failed import is slow."""
    try:
        import uwsgi
    except ImportError:
        return True
    options = {key.decode() if isinstance(key, bytes) else key: value
               for key, value in uwsgi.opt.items()}
    return "enable-threads" in options or int(options.get("threads") or 1) > 1


# Every buffer of this process, for the exit and fork hooks (weakly: a buffer whose thread never
# started, as with VISIT_FLUSH_SECONDS = 0, goes with its app).
_buffers = weakref.WeakSet()


def buffer():
    """This process's buffer for the current app."""
    extensions = current_app.extensions
    if "visit_buffer" not in extensions:
        created = extensions.setdefault("visit_buffer",
                                        VisitBuffer(current_app._get_current_object()))
        _buffers.add(created)
    return extensions["visit_buffer"]


def _flush_all():
    for each in list(_buffers):
        try:
            each.flush()
        except Exception:
            log.exception("Buffered visits not written at exit")


atexit.register(_flush_all)
os.register_at_fork(
    after_in_child=lambda: [each._forget_after_fork() for each in list(_buffers)])


def _write_openings(openings):
    """One update per link: its openings counted, its first and last opening moved."""
    collection = RecruiterLink._get_collection().with_options(
        write_concern=OPENINGS_WRITE_CONCERN)
    with pymongo.timeout(STORE_TIMEOUT_SECONDS):
        collection.bulk_write([UpdateOne({"_id": ObjectId(link_id)}, {
            "$inc": {"access_count": opening["count"]},
            "$min": {"first_access_at": opening["first"]},
            "$max": {"last_access_at": opening["last"]}})
            for link_id, opening in openings.items()], ordered=False)


def _write_visits(records):
    from . import visits  # visits builds the records and hands them to this module
    visits.hand_over(records)
