"""Redis restarts and worker deaths under load: every visit the app accepted counts exactly once.

Each test starts its own `redis-server` on a free port, persisting to a temporary directory
(`--appendonly yes --appendfsync always`, as a deployment's Redis should), and a real worker
supervised by scripts/supervise.py (as `make run` does) on a queue of its own, against a mongod
of the module's own. A visit is accepted once the request has stored it in MongoDB's outbox (or,
with MongoDB frozen, handed it to Redis); Redis only carries the tasks that count the outbox, so
Redis may die at any instant, even lose everything it held, without losing a visit.

- Redis killed and restarted again and again, sometimes empty, while the worker is paused with
  a read pending on Redis: Redis hands that read a message, then dies before the worker (and
  kombu) could record it as unacknowledged. The message exists nowhere any more; before the
  outbox, that was a visit lost.
- Redis killed while the worker holds unacknowledged tasks (MongoDB frozen for a moment, so that
  they stay in flight): the moment Celery 5.7 / kombu 5.7 used to kill the worker
  ("Unrecoverable error: AttributeError(\"'NoneType' object has no attribute 'hostname'\")",
  see celery_worker.py).
- The worker killed mid-task and started again by the supervisor.

The worker uses a visibility timeout and a claim of 3 s, so what a dead worker held comes back
quickly.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pymongo
import pytest
import redis

from app.models.portfolio import Portfolio
from app.services.visits import COUNT_DELAY_SECONDS, record_visit
from config import Config
from scripts.local_mongod import free_port

from .conftest import PASSWORD
from .test_api_basics import own_mongod
from .test_visits import FIREFOX

pytestmark = [
    pytest.mark.real_mongo,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]
ROOT = Path(__file__).resolve().parent.parent
VISIBILITY_TIMEOUT = 3  # seconds, and the worker's VISIT_CLAIM_SECONDS
RESTARTS = 4


def wait_until(predicate, timeout, what):
    """Wait for `predicate`; `what` names it, or is a function saying what is missing when the
    wait times out (the state then, not when the wait began)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.05)


class RedisServer:
    """A redis-server of the test's own, persisting every write to `directory`."""

    def __init__(self, directory):
        self.directory, self.port, self.process = directory, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis(port=self.port, socket_timeout=2)

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.directory),
             "--logfile", str(self.directory / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_until(self._answers, 10, "redis-server to start")

    def _answers(self):
        try:
            return self.client.ping()
        except redis.RedisError:
            return False

    def kill(self, lose_data=False):
        """SIGKILL; with `lose_data`, its append-only file goes too (a Redis without
        persistence, or whose disk was lost): it starts again empty."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        if lose_data:
            shutil.rmtree(self.directory / "appendonlydir")

    def state(self, queue):
        """What of the worker's messages Redis holds: queued, unacknowledged, and the lock
        kombu takes to restore those."""
        try:
            return {"queued": self.client.llen(queue), "unacked": self.client.hlen("unacked"),
                    "unacked_mutex_ttl": self.client.ttl("unacked_mutex")}
        except redis.RedisError as exc:
            return repr(exc)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class SupervisedWorker:
    """`scripts/supervise.py -- celery -A celery_worker worker …`, as `make run` starts it."""

    def __init__(self, directory, mongodb_uri, redis_url, celery_args):
        self.queue = f"vitrine-restart-{uuid.uuid4().hex[:8]}"
        self.log = directory / "worker.log"
        env = {**os.environ, "MONGODB_URI": mongodb_uri, "REDIS_URL": redis_url,
               "CELERY_QUEUE": self.queue, "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
               "VISIT_CLAIM_SECONDS": str(VISIBILITY_TIMEOUT),
               "APP_ENV": "development"}
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "scripts/supervise.py", "--", sys.executable, "-m", "celery",
                 "-A", "celery_worker", "worker", "--loglevel=INFO",
                 "--hostname", f"{self.queue}@%h", *celery_args],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.wait_ready(1)

    def text(self):
        return self.log.read_text(errors="replace")

    def wait_ready(self, times):
        wait_until(lambda: self.text().count(" ready.") >= times, 60,
                   lambda: f"the worker to be ready ({times})\n{self.text()[-3000:]}")

    def pids(self):
        """The pids of the workers the supervisor started, in order (each leads its own
        process group)."""
        return [int(line.split("started pid ")[1].split(":")[0])
                for line in self.text().splitlines() if "] started pid " in line]

    def pause(self):
        """SIGSTOP the running worker and its pool processes."""
        os.killpg(self.pids()[-1], signal.SIGSTOP)

    def resume(self):
        os.killpg(self.pids()[-1], signal.SIGCONT)

    def stop(self):
        self.process.terminate()  # the supervisor stops the worker, and then itself
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for group in self.pids():
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def frozen_mongod():
    """`(server_uri, process)`: a mongod of this module's own, which the tests freeze."""
    with own_mongod() as server:
        yield server


@pytest.fixture
def redis_server(tmp_path):
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_worker(make_app, frozen_mongod, redis_server, tmp_path):
    """`start_worker(*celery_args)` starts a supervised worker and returns `(app, worker,
    database)`: an app that queues its visits for that worker, and the test's database."""
    server_uri, _process = frozen_mongod
    name = f"restart_{uuid.uuid4().hex[:8]}"
    database_uri = server_uri.replace("/?", f"/{name}?")
    workers = []

    def start(*celery_args):
        worker = SupervisedWorker(tmp_path, database_uri, redis_server.url, celery_args)
        workers.append(worker)
        app = make_app(MONGODB_URI=database_uri, REDIS_URL=redis_server.url,
                       CELERY_ALWAYS_EAGER=False, TRUSTED_PROXIES=1,
                       CELERY={**Config.CELERY, "task_default_queue": worker.queue})
        assert not app.extensions["celery"].conf.task_always_eager
        return app, worker, client[name]

    client = pymongo.MongoClient(server_uri)
    yield start
    for worker in workers:
        worker.stop()
    client.drop_database(name)
    client.close()


class Visits:
    """Page views of one published portfolio, each from an address of its own."""

    def __init__(self, app, database):
        self.app, self.database, self.sent = app, database, 0
        self.browser = app.test_client()
        account = self.browser.post("/api/v1/auth/register", json={
            "email": "restart@example.com", "password": PASSWORD, "full_name": "R"}).get_json()
        created = self.browser.post(
            "/api/v1/portfolios/", json={"title": "Restarts", "is_private": False},
            headers={"Authorization": f"Bearer {account['access_token']}"})
        assert created.status_code == 201, created.get_json()
        self.slug, self.portfolio_id = created.get_json()["slug"], created.get_json()["id"]
        with app.app_context():
            self.portfolio = Portfolio.objects.get(id=self.portfolio_id)

    def _next_address(self):
        self.sent += 1
        return f"10.20.{self.sent // 250}.{self.sent % 250 + 1}"

    def through_the_page(self, count):
        """`count` views of the public page (the real route)."""
        for _ in range(count):
            response = self.browser.get(f"/p/{self.slug}", headers={
                "X-Forwarded-For": self._next_address(), "User-Agent": FIREFOX})
            assert response.status_code == 200

    def handed_over(self, count):
        """`count` views recorded as the page route records them, without the page itself
        (which needs MongoDB: these are sent while it is frozen, and reach the worker through
        Redis once the outbox's write times out)."""
        for _ in range(count):
            with self.app.test_request_context(
                    f"/p/{self.slug}", headers={"User-Agent": FIREFOX},
                    environ_base={"REMOTE_ADDR": self._next_address()}):
                record_visit(self.portfolio, "page")

    def counted(self):
        """(views, unique visitors) in the rollups, and the raw visits stored."""
        rollups = list(self.database.visit_rollups.find({"portfolio": self.portfolio.id}))
        return (sum(rollup.get("views", 0) for rollup in rollups),
                sum(rollup.get("unique_visitors", 0) for rollup in rollups),
                self.database.visits.count_documents({"portfolio": self.portfolio.id}))


def held_by_the_worker(redis_server, queue, count):
    """The worker has taken `count` messages it has not acknowledged, and none is queued."""
    try:
        return (redis_server.client.hlen("unacked") == count
                and redis_server.client.llen(queue) == 0)
    except redis.RedisError:
        return False


def settled(redis_server, queue):
    """Nothing left queued or unacknowledged: no copy of a visit can still arrive."""
    return held_by_the_worker(redis_server, queue, 0)


def assert_each_counted_once(visits, redis_server, worker):
    total = visits.sent
    # Bounded: the copies the worker could not acknowledge come back after VISIBILITY_TIMEOUT.
    wait_until(lambda: visits.counted()[0] >= total, 45,
               lambda: f"{total} views (have {visits.counted()}; Redis holds "
                       f"{redis_server.state(worker.queue)})\n{worker.text()[-5000:]}")
    wait_until(lambda: settled(redis_server, worker.queue), 30, "every message acknowledged")
    time.sleep(0.5)  # anything counted twice would be by now
    assert visits.counted() == (total, total, total)


def test_a_redis_restart_under_load_loses_no_visit_and_counts_none_twice(
        start_worker, frozen_mongod, redis_server):
    # The Procfile's worker: prefork, two processes, so it prefetches 8 messages.
    app, worker, database = start_worker("--concurrency=2")
    visits = Visits(app, database)
    _uri, mongod = frozen_mongod

    visits.through_the_page(20)
    wait_until(lambda: visits.counted()[0] == 20, 20, "the first 20 views")

    os.kill(mongod.pid, signal.SIGSTOP)  # the tasks in flight now wait for MongoDB
    try:
        visits.handed_over(6)
        # The worker holds all 6 (2 running, 4 prefetched), and waits in BRPOP for more.
        wait_until(lambda: held_by_the_worker(redis_server, worker.queue, 6), 10,
                   "the worker to take the 6 visits")
        redis_server.kill()
        wait_until(lambda: "Connection to broker lost" in worker.text(), 10,
                   "the worker to notice")
    finally:
        os.kill(mongod.pid, signal.SIGCONT)

    visits.through_the_page(14)  # Redis down: the visits wait in the outbox
    redis_server.start()  # same port, same data: the queue and the unacknowledged visits
    # A process tries to schedule counting at most once a second, even when the try fails
    # (Redis down): past that second, the first of these views schedules it (within it, beat's
    # sweep would count them, within a minute).
    time.sleep(COUNT_DELAY_SECONDS)
    visits.through_the_page(20)

    assert_each_counted_once(visits, redis_server, worker)
    log = worker.text()
    assert "Unrecoverable error" not in log and len(worker.pids()) == 1, log[-3000:]


def test_visits_sent_while_redis_is_killed_and_restarted_are_each_counted_once(
        start_worker, redis_server):
    app, worker, database = start_worker("--concurrency=2")
    visits = Visits(app, database)
    for restart in range(RESTARTS):
        visits.through_the_page(10)
        time.sleep(COUNT_DELAY_SECONDS)  # the first of the next views schedules counting
        worker.pause()  # its read pending on Redis (a BRPOP of 1 s) stays pending...
        visits.through_the_page(10)  # ...and Redis hands it the first message these queue
        redis_server.kill(lose_data=restart % 2 == 1)
        visits.through_the_page(10)  # Redis down: pages still served, visits stored
        redis_server.start()
        worker.resume()
        time.sleep(COUNT_DELAY_SECONDS)  # (as in the test above)
        visits.through_the_page(10)  # the counting they schedule counts the earlier ones too

    assert_each_counted_once(visits, redis_server, worker)
    log = worker.text()
    assert "Unrecoverable error" not in log and len(worker.pids()) == 1, log[-3000:]
    print(f"{visits.sent} visits sent across {RESTARTS} Redis restarts (2 of them losing "
          f"everything Redis held), {visits.counted()[0]} counted")


def test_a_worker_killed_just_as_redis_hands_it_a_message_loses_no_visit(
        start_worker, redis_server):
    """The instant kombu's Redis transport cannot cover: its BRPOP took the message off the
    queue, and the worker dies before it recorded the message as unacknowledged (Redis dying
    then is the same). Redis holds no copy of the message any more."""
    app, worker, database = start_worker("--pool=solo")
    visits = Visits(app, database)
    visits.through_the_page(10)
    wait_until(lambda: visits.counted()[0] == 10, 20, "the first 10 views")
    time.sleep(COUNT_DELAY_SECONDS)  # the next view schedules counting
    worker.pause()
    visits.through_the_page(1)
    # The paused worker's pending BRPOP may have taken the message already; if it was not
    # pending at that instant, take it as it would have.
    redis_server.client.rpop(worker.queue)
    os.killpg(worker.pids()[-1], signal.SIGKILL)
    worker.wait_ready(2)  # started again by the supervisor
    assert redis_server.client.hlen("unacked") == 0  # the message is nowhere
    time.sleep(COUNT_DELAY_SECONDS)
    visits.through_the_page(5)

    assert_each_counted_once(visits, redis_server, worker)


def test_a_worker_that_dies_is_started_again_and_its_visits_count_once(
        start_worker, frozen_mongod, redis_server, tmp_path):
    # `make run`'s worker: solo pool, with beat.
    app, worker, database = start_worker("--pool=solo", "--beat",
                                  "--schedule", str(tmp_path / "celerybeat-schedule"))
    visits = Visits(app, database)
    _uri, mongod = frozen_mongod

    visits.through_the_page(10)
    wait_until(lambda: visits.counted()[0] == 10, 20, "the first 10 views")

    os.kill(mongod.pid, signal.SIGSTOP)
    try:
        visits.handed_over(6)
        # The solo worker runs tasks in its only process: it took the first visit (maybe
        # more), whose task now waits for MongoDB, and the others stay queued.
        wait_until(lambda: redis_server.client.hlen("unacked") >= 1, 10,
                   "the worker to take a visit")
        [dying] = worker.pids()
        os.kill(dying, signal.SIGKILL)
    finally:
        os.kill(mongod.pid, signal.SIGCONT)

    worker.wait_ready(2)  # started again by the supervisor
    assert len(worker.pids()) == 2 and "exited with status -9" in worker.text()
    visits.through_the_page(14)

    assert_each_counted_once(visits, redis_server, worker)
