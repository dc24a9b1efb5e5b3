"""A real Celery worker (`celery -A celery_worker worker`) against the real Redis and mongod:
the pages store their visits, and the task they schedule counts them.

The worker consumes a queue of its own (unique per test session), so parallel test runs sharing
the Redis server do not take each other's tasks.
"""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from bson import ObjectId

from app.extensions import mongo_db
from app.models.audience import ROLLUPS, VISITS
from app.services.visits import store_visits
from config import Config

from .test_visits import CHROME, FIREFOX, all_documents, payload_for

pytestmark = pytest.mark.real_mongo
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def worker_queue(test_config, mongo_server, tmp_path_factory):
    """Start one worker for the session; yields the name of the queue it consumes."""
    if not mongo_server[1]:
        pytest.skip("needs a real mongod")
    queue = f"vitrine-test-{uuid.uuid4().hex[:10]}"
    # The queue comes from CELERY_QUEUE, as in a deployment: the worker is started without -Q.
    env = {**os.environ, "MONGODB_URI": test_config.MONGODB_URI, "CELERY_QUEUE": queue,
           "REDIS_URL": test_config.REDIS_URL, "APP_ENV": "development"}
    log_file = tmp_path_factory.mktemp("celery") / "worker.log"
    with open(log_file, "w") as log:  # a file, not a pipe nobody reads: the worker never blocks
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--pool=solo",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO", "--hostname", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while " ready." not in log_file.read_text():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            pytest.fail("the Celery worker did not start:\n" + log_file.read_text())
        time.sleep(0.1)
    yield queue
    worker.terminate()
    worker.wait(timeout=30)


@pytest.fixture
def worker_app(make_app, worker_queue):
    """An app that queues its tasks for the worker, behind one trusted proxy."""
    app = make_app(CELERY_ALWAYS_EAGER=False, TRUSTED_PROXIES=1,
                   CELERY={**Config.CELERY, "task_default_queue": worker_queue})
    assert not app.extensions["celery"].conf.task_always_eager
    with app.app_context():
        yield app


def wait_for_visits(count, timeout=20):
    """Until the worker has stored `count` raw visits (counted or not)."""
    deadline = time.monotonic() + timeout
    while mongo_db()[VISITS].count_documents({}) < count:
        assert time.monotonic() < deadline, "the worker did not process the visits in time"
        time.sleep(0.05)


def test_visits_go_through_the_worker_into_the_stats(worker_app, auth_client, portfolio_factory):
    portfolio = portfolio_factory(full=True)
    page = f"/p/{portfolio['slug']}"
    browser = worker_app.test_client()
    people = [("8.8.8.8", FIREFOX), ("193.51.24.1", FIREFOX), ("193.51.24.1", CHROME),
              ("8.8.8.8", FIREFOX)]  # the last one: a repeat within 30 minutes
    for address, user_agent in people:
        response = browser.get(page, headers={"X-Forwarded-For": address,
                                              "User-Agent": user_agent,
                                              "Referer": "https://www.linkedin.com/feed/"})
        assert response.status_code == 200
    # Not handed over at all: a bot, a link preview, the owner.
    browser.get(page, headers={"X-Forwarded-For": "8.8.4.4", "User-Agent": "Googlebot/2.1"})
    browser.get(page, headers={"X-Forwarded-For": "8.8.4.4", "User-Agent": "Slackbot 1.0"})
    browser.get(page, headers={"X-Forwarded-For": "8.8.4.4", "User-Agent": FIREFOX,
                               "Authorization": f"Bearer {auth_client.tokens['access_token']}"})
    wait_for_visits(len(people))
    time.sleep(0.3)  # anything wrongly queued would have arrived by now
    assert mongo_db()[VISITS].count_documents({}) == len(people)

    stats = auth_client.get(f"/api/v1/portfolios/{portfolio['id']}/stats?days=7").get_json()
    assert stats["total_views"] == 3 and stats["unique_visitors"] == 3
    assert stats["by_country"] == [{"country": "FR", "views": 2}, {"country": "US", "views": 1}]
    assert stats["by_day"][-1]["views"] == 3
    assert stats["top_referrers"] == [{"host": "www.linkedin.com", "views": 3}]
    # The raw addresses are nowhere in the database.
    for address in ("8.8.8.8", "193.51.24.1", "8.8.4.4"):
        assert not any(address in text for text in all_documents()), address
    # A portfolio nobody visited: all zeros.
    quiet = portfolio_factory(title="Quiet")
    stats = auth_client.get(f"/api/v1/portfolios/{quiet['id']}/stats?days=7").get_json()
    assert stats["total_views"] == 0 and all(day["views"] == 0 for day in stats["by_day"])


def test_tasks_delivered_several_times_count_each_visit_once(worker_app, portfolio_factory):
    portfolio_id = portfolio_factory()["id"]
    handed_over = payload_for(worker_app, portfolio_id, ip="193.51.24.1")
    celery = worker_app.extensions["celery"]
    for _delivery in range(3):
        celery.send_task("vitrine.process_visit", args=(handed_over,))
    wait_for_visits(1)
    # Visits the requests stored, and the tasks that count them delivered again and again.
    for n in range(4):
        store_visits([payload_for(worker_app, portfolio_id, ip=f"8.8.4.{n}")])
    for _delivery in range(5):
        celery.send_task("vitrine.count_visits")
    wait_for_visits(5)
    time.sleep(0.5)  # let the worker handle the copies
    [rollup] = mongo_db()[ROLLUPS].find({"portfolio": ObjectId(portfolio_id)})
    assert (rollup["views"], rollup["unique_visitors"], rollup["countries"]) == (
        5, 5, {"FR": 1, "US": 4})


def test_the_visits_collection_is_really_capped(worker_app, test_database):
    stats = test_database.command("collStats", VISITS)
    assert stats["capped"] is True and stats["maxSize"] == Config.VISITS_CAPPED_BYTES
    # The same kind of collection with a tiny cap: the oldest documents give way.
    name = f"visits_cap_check_{uuid.uuid4().hex[:6]}"
    test_database.create_collection(name, capped=True, size=4096)
    try:
        test_database[name].insert_many([{"n": n, "padding": "x" * 100} for n in range(200)])
        kept = [document["n"] for document in test_database[name].find()]
        assert 0 < len(kept) < 200 and kept[-1] == 199 and 0 not in kept
    finally:
        test_database.drop_collection(name)


def test_tasks_retry_with_backoff_when_mongodb_is_briefly_down(worker_app):
    from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError
    for name in ("vitrine.process_visit", "vitrine.count_visits"):
        task = worker_app.extensions["celery"].tasks[name]
        assert issubclass(ServerSelectionTimeoutError, task.autoretry_for)
        assert AutoReconnect in task.autoretry_for
        assert task.retry_backoff and task.acks_late
