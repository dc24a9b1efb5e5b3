"""Celery entry point: `celery -A celery_worker worker` (and `beat`).

Only the worker and beat processes import this module: the settings they need to ride out a
Redis restart (`Config.CELERY_WORKER`) are applied here, over those of the web app, whose
publishing fails fast instead.
"""
from kombu.transport.virtual import base as kombu_virtual

from app import create_app


def close_every_channel(self, connection):
    """`kombu.transport.virtual.Transport.close_connection` that closes every channel even when
    closing one fails (kombu 5.7.0 stops at the first failure), then raises that failure.

    Without it, Celery 5.7 / kombu 5.7 (the newest releases) kill the worker when Redis goes
    away while the worker holds unacknowledged messages and waits in BRPOP ("Couldn't ack …",
    then "Unrecoverable error: AttributeError("'NoneType' object has no attribute 'hostname'")":
    half the Redis restarts under load). Celery's consumer cleans the broken connection up with
    `Connection.collect()` then `Connection.close()`. In `collect()`, closing the remote-control
    channel fails (Redis is down) before the task channel was closed, and kombu then detaches
    the transport from the connection; `close()` closes the task channel at last, whose restore
    of its unacknowledged messages needs the detached transport's `client`: AttributeError,
    which is not a connection error, so it escapes Celery's reconnection and ends the worker.
    Closing every channel inside `collect()`, while the transport is still attached, makes that
    second close a no-op; the messages it could not restore (Redis down) stay in Redis's
    `unacked` hash and come back after the visibility timeout (config.CELERY_WORKER).
    No setting avoids it: without the remote-control (pidbox) and gossip channels, the crash
    goes, but a worker whose prefetch is full of messages it could not acknowledge has no read
    pending on Redis, never notices the restart and stops consuming for good.
    """
    self.cycle.close()
    failure = None
    for channels in self._avail_channels, self.channels:
        while channels:
            try:
                channel = channels.pop()
            except LookupError:  # pragma: no cover  (as in kombu)
                continue
            try:
                channel.close()
            except Exception as exc:  # noqa: BLE001  (raised below, after the other channels)
                failure = failure or exc
    if failure is not None:
        raise failure


kombu_virtual.Transport.close_connection = close_every_channel

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
celery_app.conf.update(flask_app.config["CELERY_WORKER"])
