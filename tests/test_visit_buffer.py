"""Visits and recruiter-link openings written in batches after the responses
(app/services/visit_buffer.py): nothing counted is lost or counted twice, within the documented
bound."""
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from bson import ObjectId

from app.extensions import mongo_db
from app.models.audience import ROLLUPS, VISIT_OUTBOX
from app.services import visit_buffer

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
ROOT = Path(__file__).resolve().parent.parent
API = "/api/v1/portfolios"


@pytest.fixture
def published(portfolio_factory, auth_client):
    """A published portfolio and a recruiter link to it: `(slug, portfolio id, token, link id)`."""
    portfolio = portfolio_factory()
    link = auth_client.post(f"{API}/{portfolio['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    return portfolio["slug"], portfolio["id"], link["token"], link["id"]


def views_counted(portfolio_id):
    return sum(rollup.get("views", 0)
               for rollup in mongo_db()[ROLLUPS].find({"portfolio": ObjectId(portfolio_id)}))


def link_of(auth_client, portfolio_id):
    [link] = auth_client.get(f"{API}/{portfolio_id}/recruiter-links/").get_json()["data"]
    return link


def test_visits_and_openings_are_written_with_the_next_batch(make_app, published, auth_client):
    slug, portfolio_id, token, _ = published
    batched = make_app(VISIT_FLUSH_SECONDS=3600)  # the thread never wakes during the test
    browser = batched.test_client()
    for address in ("8.8.8.8", "8.8.4.4", "1.1.1.1"):
        assert browser.get(f"/p/{slug}", headers={"User-Agent": FIREFOX},
                           environ_base={"REMOTE_ADDR": address}).status_code == 200
    for _ in range(2):
        assert browser.get(f"/r/{token}", headers={"User-Agent": FIREFOX}).status_code == 200
    assert browser.get(f"/api/v1/recruiter/{token}").status_code == 200
    with batched.app_context():
        assert views_counted(portfolio_id) == 0 and link_of(auth_client, portfolio_id)[
            "access_count"] == 0  # answered before anything was written
        visit_buffer.buffer().flush()
        visit_buffer.buffer().flush()  # nothing left: nothing more counted
        assert views_counted(portfolio_id) == 4  # three public views, one recruiter's (a repeat)
    link = link_of(auth_client, portfolio_id)
    assert link["access_count"] == 3 and link["views"] == 1
    assert link["first_access_at"] <= link["last_access_at"]


def test_a_revoked_links_openings_are_refused_and_not_counted(make_app, published, auth_client):
    slug, portfolio_id, token, link_id = published
    batched = make_app(VISIT_FLUSH_SECONDS=3600)
    browser = batched.test_client()
    assert browser.get(f"/api/v1/recruiter/{token}").status_code == 200
    auth_client.delete(f"{API}/{portfolio_id}/recruiter-links/{link_id}")
    assert browser.get(f"/api/v1/recruiter/{token}").status_code == 410
    with batched.app_context():
        visit_buffer.buffer().flush()
    assert link_of(auth_client, portfolio_id)["access_count"] == 1


def test_the_process_thread_writes_the_batch_within_its_delay(make_app, published):
    slug, portfolio_id, _, _ = published
    batched = make_app(VISIT_FLUSH_SECONDS=0.05)
    assert batched.test_client().get(f"/p/{slug}", headers={"User-Agent": FIREFOX}).status_code \
        == 200
    deadline = time.monotonic() + 5
    with batched.app_context():
        while views_counted(portfolio_id) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert views_counted(portfolio_id) == 1


def test_a_forked_child_leaves_the_parents_batch_to_the_parent(make_app, published,
                                                               auth_client):
    slug, portfolio_id, token, _ = published
    batched = make_app(VISIT_FLUSH_SECONDS=3600)
    batched.test_client().get(f"/r/{token}", headers={"User-Agent": FIREFOX})
    with batched.app_context():
        child = os.fork()
        if child == 0:  # the child reports what it holds (visits, then openings) and leaves
            held = visit_buffer.buffer()
            os._exit(10 + len(held._visits) + 2 * len(held._openings))
        _, status = os.waitpid(child, 0)
        assert os.waitstatus_to_exitcode(status) == 10
        visit_buffer.buffer().flush()
        assert views_counted(portfolio_id) == 1
    assert link_of(auth_client, portfolio_id)["access_count"] == 1


def test_a_process_that_exits_normally_writes_its_batch_first(test_config, published):
    """A web process stopped gracefully (gunicorn's SIGTERM, a restart) loses no visit."""
    slug, portfolio_id, _, _ = published
    script = textwrap.dedent(f"""
        from app import create_app
        from config import TestConfig
        config = type("Batched", (TestConfig,), {{
            "MONGODB_URI": {test_config.MONGODB_URI!r}, "VISIT_FLUSH_SECONDS": 3600,
            "CELERY_ALWAYS_EAGER": True, "REDIS_URL": {test_config.REDIS_URL!r}}})
        response = create_app(config).test_client().get(
            "/p/{slug}", headers={{"User-Agent": {FIREFOX!r}}})
        assert response.status_code == 200
    """)
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert views_counted(portfolio_id) == 1


def test_visits_mongodb_refuses_in_a_batch_are_kept_once(make_app, published, monkeypatch):
    """A batch half of which is in the outbox already (a write that landed late) stores the
    rest and counts every visit once."""
    slug, portfolio_id, _, _ = published
    batched = make_app(VISIT_FLUSH_SECONDS=3600, CELERY_ALWAYS_EAGER=False)
    browser = batched.test_client()
    for address in ("8.8.8.8", "8.8.4.4"):
        browser.get(f"/p/{slug}", headers={"User-Agent": FIREFOX},
                    environ_base={"REMOTE_ADDR": address})
    with batched.app_context():
        from app.services import visits
        monkeypatch.setattr(visits, "_schedule_counting", lambda celery: None)
        held = list(visit_buffer.buffer()._visits)
        visits.store_visits(held[:1])
        visit_buffer.buffer().flush()
        assert mongo_db()[VISIT_OUTBOX].count_documents(
            {"portfolio_id": portfolio_id}) == 2
        assert visits.count_waiting_visits() == 2
        assert views_counted(portfolio_id) == 2


def test_openings_that_cannot_be_written_keep_no_visit_from_being_counted(
        make_app, published, monkeypatch, caplog):
    slug, portfolio_id, token, _ = published
    batched = make_app(VISIT_FLUSH_SECONDS=3600)
    batched.test_client().get(f"/r/{token}", headers={"User-Agent": FIREFOX})

    def database_dropping(openings):
        raise RuntimeError("recruiter_links cannot be written")
    monkeypatch.setattr(visit_buffer, "_write_openings", database_dropping)
    with batched.app_context():
        visit_buffer.buffer().flush()
        assert views_counted(portfolio_id) == 1
    assert "1 buffered recruiter-link openings not written" in caplog.text
