"""Recording visits: what counts, what is stored (never the IP), counting each exactly once.

Tasks run eagerly here (TestConfig) unless a test queues them; tests/test_celery_integration.py
and tests/test_celery_redis_restart.py run a real worker.
"""
import base64
import json
import logging
import uuid
from datetime import datetime, time, timedelta

import pytest
from bson import ObjectId

from app.extensions import mongo_db
from app.models.audience import (
    ROLLUPS, VISIT_OUTBOX, VISITOR_KEYS, VISITOR_SALTS, VISITS, Notification, utc_today,
)
from app.models.portfolio import Portfolio
from app.services import visits
from app.services.visits import process_visit, record_visit, visit_record
from config import Config

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/125.0.0.0 Safari/537.36")


def view(app, portfolio_id, kind="page", link=None, ip="8.8.8.8", user_agent=FIREFOX, **headers):
    """One view of the portfolio, as the page routes record it (a direct call of record_visit)."""
    portfolio = Portfolio.objects.get(id=portfolio_id)
    if user_agent is not None:
        headers["User-Agent"] = user_agent
    with app.test_request_context("/p/x", headers=headers, environ_base={"REMOTE_ADDR": ip}):
        record_visit(portfolio, kind, link=link)


def payload_for(app, portfolio_id, at=None, ip="8.8.8.8", **headers):
    """What record_visit would store of a page view at `at` (default now)."""
    headers.setdefault("User-Agent", FIREFOX)
    with app.test_request_context("/p/x", headers=headers, environ_base={"REMOTE_ADDR": ip}):
        return visit_record(Portfolio.objects.get(id=portfolio_id), "page", at=at)


def rollups_of(portfolio_id):
    return list(mongo_db()[ROLLUPS].find({"portfolio": ObjectId(portfolio_id)}))


def total_views(portfolio_id):
    """Views and downloads counted."""
    return sum(rollup.get("views", 0) + rollup.get("downloads", 0)
               for rollup in rollups_of(portfolio_id))


def all_documents():
    """Every document of every collection of the test database, as text."""
    db = mongo_db()
    return [str(document) for name in db.list_collection_names() if not name.startswith("system.")
            for document in db[name].find()]


@pytest.fixture(autouse=True)
def _app_context(app):
    """`process_visit` runs in the app context (a worker's task does too)."""
    with app.app_context():
        yield


@pytest.fixture
def portfolio_id(portfolio_factory):
    return portfolio_factory(full=True)["id"]


def test_a_view_is_geolocated_keyed_and_rolled_up_without_its_ip(app, portfolio_id):
    view(app, portfolio_id, ip="193.51.24.1", Referer="https://www.linkedin.com/feed/")
    [visit] = mongo_db()[VISITS].find()
    assert visit["portfolio"] == ObjectId(portfolio_id)
    assert (visit["country"], visit["city"]) == ("FR", "Versailles")
    assert visit["kind"] == "page" and visit["source"] == "public" and visit["counted"]
    assert visit["referrer_host"] == "www.linkedin.com"
    assert visit["user_agent_family"] == "Firefox"
    assert len(visit["visitor_key"]) == 32
    [rollup] = rollups_of(portfolio_id)
    assert rollup["views"] == 1 and rollup["unique_visitors"] == 1
    assert rollup["countries"] == {"FR": 1}
    assert rollup["sources"] == {"public": 1} and rollup["kinds"] == {"page": 1}
    assert list(rollup["referrers"].values()) == [1]
    assert not any("193.51.24.1" in text for text in all_documents())


@pytest.mark.parametrize("user_agent", [
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/125.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b",
    "Mozilla/5.0 (compatible; Qwantify/Bleriot/1.1; +https://help.qwant.com/bot)",
    "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html)",
    "ia_archiver (+http://www.alexa.com/site/help/webmasters)",
    "",
])
def test_bots_link_previews_and_headless_browsers_are_not_counted(app, portfolio_id, user_agent):
    view(app, portfolio_id, user_agent=user_agent)
    assert mongo_db()[VISITS].count_documents({}) == 0 and rollups_of(portfolio_id) == []


@pytest.mark.parametrize("user_agent, family", [
    ("curl/8.5.0", "curl"),
    (CHROME, "Chrome"),
    (FIREFOX, "Firefox"),
    (CHROME + " Edg/125.0.0.0", "Edge"),
    ("Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 Chrome/120.0 Mobile", "Chrome"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.0 Mobile/15E148 Safari/604.1", "Safari"),
])
def test_people_are_counted_with_their_browser_family(app, portfolio_id, user_agent, family):
    view(app, portfolio_id, user_agent=user_agent)
    [visit] = mongo_db()[VISITS].find()
    assert visit["user_agent_family"] == family and total_views(portfolio_id) == 1


def test_the_owners_own_views_are_not_counted(app, auth_client, portfolio_id, register):
    view(app, portfolio_id, Authorization=f"Bearer {auth_client.tokens['access_token']}")
    assert total_views(portfolio_id) == 0
    # Someone else's token, a refresh token or a broken one: a visitor like any other.
    view(app, portfolio_id, Authorization=f"Bearer {register()['access_token']}")
    view(app, portfolio_id, ip="1.1.1.1",
         Authorization=f"Bearer {auth_client.tokens['refresh_token']}")
    view(app, portfolio_id, ip="9.9.9.9", Authorization="Bearer not-a-token")
    assert total_views(portfolio_id) == 3


def test_the_owner_signed_in_to_the_web_app_is_not_counted(app, auth_client, portfolio_id,
                                                           register):
    """The web app's session is an HttpOnly cookie, sent with the published pages too."""
    view(app, portfolio_id,
         Cookie=f"access_token_cookie={auth_client.tokens['access_token']}")
    assert total_views(portfolio_id) == 0
    view(app, portfolio_id, Cookie=f"access_token_cookie={register()['access_token']}")
    assert total_views(portfolio_id) == 1


def test_a_revoked_owner_token_counts_as_a_visitor(app, auth_client, portfolio_id):
    token = auth_client.tokens["access_token"]
    assert auth_client.post("/api/v1/auth/logout").status_code == 204
    view(app, portfolio_id, Authorization=f"Bearer {token}")
    assert total_views(portfolio_id) == 1


def test_repeats_within_30_minutes_are_not_counted(app, portfolio_id):
    start = datetime.combine(utc_today(), time(0, 1))
    for minutes in (0, 10, 29):
        process_visit(payload_for(app, portfolio_id, start + timedelta(minutes=minutes)))
    assert total_views(portfolio_id) == 1
    # 30 minutes after the last *counted* view: counted again, but the same unique visitor.
    process_visit(payload_for(app, portfolio_id, start + timedelta(minutes=30)))
    # Another address, or the same address with another browser: another visitor.
    process_visit(payload_for(app, portfolio_id, start + timedelta(minutes=31), ip="1.1.1.1"))
    process_visit(payload_for(app, portfolio_id, start + timedelta(minutes=32),
                              **{"User-Agent": CHROME}))
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (4, 3)
    assert mongo_db()[VISITS].count_documents({"counted": False}) == 2


def test_the_visitor_key_changes_every_day(app, portfolio_id):
    # Recent days: salts and keys of days long gone are already deleted (TTL).
    midnight = datetime.combine(utc_today(), time(0, 0))
    monday, tuesday = midnight - timedelta(minutes=10), midnight + timedelta(minutes=5)
    process_visit(payload_for(app, portfolio_id, monday))
    process_visit(payload_for(app, portfolio_id, tuesday))
    keys = {visit["visitor_key"] for visit in mongo_db()[VISITS].find()}
    assert len(keys) == 2  # the same person is not followed from one day to the next
    days = [monday.date().isoformat(), tuesday.date().isoformat()]
    assert sorted((r["day"], r["unique_visitors"]) for r in rollups_of(portfolio_id)) == [
        (days[0], 1), (days[1], 1)]
    salts = list(mongo_db()[VISITOR_SALTS].find())
    assert sorted(salt["_id"] for salt in salts) == days
    assert all(salt["expires_at"] and len(salt["salt"]) == 64 for salt in salts)


@pytest.mark.parametrize("header", ["DNT", "Sec-GPC"])
def test_do_not_track_is_counted_without_a_visitor_key(app, portfolio_id, header):
    view(app, portfolio_id, **{header: "1"})
    view(app, portfolio_id, **{header: "1"})  # no key, so no way to tell a repeat
    assert [visit["visitor_key"] for visit in mongo_db()[VISITS].find()] == [None, None]
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (2, 0)
    assert mongo_db()[VISITOR_KEYS].count_documents({}) == 0


def test_a_retried_visit_is_counted_once(app, portfolio_id):
    payload = payload_for(app, portfolio_id)
    for _attempt in range(3):
        process_visit(payload)
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (1, 1)
    assert mongo_db()[VISITS].count_documents({}) == 1


def test_a_visit_delivered_again_long_after_it_was_counted_counts_once(
        app, portfolio_id, monkeypatch):
    """Its task redelivered after many other visits were counted: the rollup no longer remembers
    it, but the outbox does."""
    monkeypatch.setattr(visits, "APPLIED_MEMORY", 5)  # so that 10 visits in between are "many"
    payload = payload_for(app, portfolio_id)
    process_visit(payload)
    for n in range(10):
        process_visit(payload_for(app, portfolio_id, ip=f"8.8.4.{n}"))
    process_visit(payload)
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (11, 11)


class WorkerDied(BaseException):
    """Ends a count half-way, as a SIGKILL would (no `except Exception` catches it)."""


def dying_after(function):
    def run_then_die(*args):
        function(*args)
        raise WorkerDied(function.__name__)
    return run_then_die


def after_the_claim_lapsed(app, monkeypatch):
    """From now on, the clock of the counting code is VISIT_CLAIM_SECONDS ahead."""
    later = datetime.utcnow() + timedelta(seconds=app.config["VISIT_CLAIM_SECONDS"])
    monkeypatch.setattr(visits, "utcnow", lambda: later)


@pytest.mark.parametrize("step", ["_decision", "_log", "_roll_up", "on_counted_visit"])
def test_a_worker_that_dies_mid_count_leaves_the_visit_to_the_next_run_and_it_counts_once(
        app, auth_client, portfolio_id, monkeypatch, step):
    link = auth_client.post(f"/api/v1/portfolios/{portfolio_id}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    payload = {**payload_for(app, portfolio_id), "source": link["id"]}
    owner = visits.notifications if step == "on_counted_visit" else visits
    with monkeypatch.context() as dying:
        dying.setattr(owner, step, dying_after(getattr(owner, step)))
        with pytest.raises(WorkerDied):
            process_visit(payload)
    # Its claim holds: no other worker takes it yet, nor does its task redelivered.
    assert visits.count_waiting_visits() == 0 and process_visit(payload) is None
    after_the_claim_lapsed(app, monkeypatch)
    assert visits.count_waiting_visits() == 1  # the sweep
    assert visits.count_waiting_visits() == 0 and process_visit(payload) is None
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"], rollup["sources"]) == (
        1, 1, {link["id"]: 1})
    assert rollup["applied"] == []  # forgotten once the outbox let go of the visit
    assert mongo_db()[VISITS].count_documents({}) == 1
    assert Notification.objects.count() == 1
    [done] = mongo_db()[VISIT_OUTBOX].find()
    assert set(done) == {"_id", "expires_at"}  # only the id is left


def test_a_visit_counted_again_later_keeps_its_first_decision(app, portfolio_id, monkeypatch):
    """The worker died just after deciding; by the time the visit is taken again, the same
    visitor's next view, 40 minutes later, was counted: the visit still counts, as decided."""
    start = datetime.combine(utc_today(), time(0, 1))
    with monkeypatch.context() as dying:
        dying.setattr(visits, "_count_decision", dying_after(visits._count_decision))
        with pytest.raises(WorkerDied):
            process_visit(payload_for(app, portfolio_id, start))
    process_visit(payload_for(app, portfolio_id, start + timedelta(minutes=40)))
    after_the_claim_lapsed(app, monkeypatch)
    assert visits.count_waiting_visits() == 1
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (2, 1)


def test_the_task_retries_when_mongodb_drops_out_and_the_visit_counts_once(
        app, portfolio_id, monkeypatch):
    """MongoDB goes away after the raw visit is logged: the task is retried (Celery's
    autoretry; eagerly here, so without its backoff wait), and the visit, still claimed by the
    failed attempt, is counted once by the first run after the claim lapses."""
    from pymongo.errors import AutoReconnect

    from app.tasks import process_visit as task
    roll_up, attempts = visits._roll_up, []

    def roll_up_once_mongodb_is_back(*args):
        attempts.append(args)
        if len(attempts) == 1:
            raise AutoReconnect("connection closed")
        return roll_up(*args)
    monkeypatch.setattr(visits, "_roll_up", roll_up_once_mongodb_is_back)
    # throw=False: the first attempt's Retry is handled by Celery, not raised to the caller.
    assert task.apply(args=(payload_for(app, portfolio_id),), throw=False).get() is None
    assert rollups_of(portfolio_id) == []
    after_the_claim_lapsed(app, monkeypatch)
    assert visits.count_waiting_visits() == 1 and len(attempts) == 2
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (1, 1)
    assert mongo_db()[VISITS].count_documents({}) == 1


def test_concurrent_first_visits_of_the_day_all_count(app, portfolio_id):
    """Several workers creating the same day's rollup at once: none of the visits is lost."""
    import threading
    payloads = [payload_for(app, portfolio_id, ip=f"8.8.4.{n}") for n in range(8)]

    def work(payload):
        with app.app_context():
            process_visit(payload)
    threads = [threading.Thread(target=work, args=(payload,)) for payload in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (8, 8)


def test_recruiter_views_are_attributed_to_their_link(app, auth_client, portfolio_id):
    from app.models.recruiter_link import RecruiterLink
    created = auth_client.post(f"/api/v1/portfolios/{portfolio_id}/recruiter-links/",
                               json={"label": "Acme"}).get_json()
    link = RecruiterLink.objects.get(id=created["id"])
    view(app, portfolio_id, link=link)
    view(app, portfolio_id, kind="pdf", link=link, ip="1.1.1.1")
    [rollup] = rollups_of(portfolio_id)
    assert rollup["sources"] == {created["id"]: 2}
    assert rollup["kinds"] == {"page": 1, "pdf": 1}
    assert rollup["link_first_access"][created["id"]] <= rollup["link_last_access"][created["id"]]


def test_a_recruiter_link_opened_right_after_the_public_page_is_counted(
        app, auth_client, portfolio_id):
    from app.models.recruiter_link import RecruiterLink
    created = auth_client.post(f"/api/v1/portfolios/{portfolio_id}/recruiter-links/",
                               json={"label": "Acme"}).get_json()
    link = RecruiterLink.objects.get(id=created["id"])
    view(app, portfolio_id)  # the recruiter first found the public page...
    view(app, portfolio_id, link=link)  # ...then opened the link they were sent
    view(app, portfolio_id, link=link)  # a repeat of the link view
    [rollup] = rollups_of(portfolio_id)
    assert rollup["sources"] == {"public": 1, created["id"]: 1}
    assert (rollup["views"], rollup["unique_visitors"]) == (2, 1)


@pytest.mark.parametrize("query, headers, counted", [
    ("", {}, True),
    ("", {"Range": "bytes=0-1023"}, True),
    ("", {"Range": "bytes=1024-2047"}, False),  # the rest of a file already counted
    ("?thumbnail=1", {}, False),  # part of the page, not a download
])
def test_proof_downloads_count_once_per_file_opened(app, portfolio_id, query, headers, counted):
    portfolio = Portfolio.objects.get(id=portfolio_id)
    with app.test_request_context(f"/p/x/proofs/1{query}", headers={"User-Agent": FIREFOX,
                                                                      **headers}):
        record_visit(portfolio, "proof")
    assert total_views(portfolio_id) == int(counted)


def test_referrers_keep_hosts_only_and_ignore_vitrine_itself(app, portfolio_id):
    assert visits.referrer_host("https://News.ycombinator.com/item?id=1", "localhost") == \
        "news.ycombinator.com"
    assert visits.referrer_host("http://localhost/p/other", "localhost:5000") is None
    assert visits.referrer_host("not a url", "localhost") is None
    assert visits.referrer_host("http://[::1/", "localhost") is None
    assert visits.referrer_host(None, "localhost") is None


def test_referrer_hosts_per_day_are_bounded(app, portfolio_id):
    at = datetime.combine(utc_today(), time(0, 0))
    for n in range(visits.MAX_REFERRERS_PER_DAY + 5):
        payload = payload_for(app, portfolio_id, at, DNT="1", Referer=f"https://site{n}.example/")
        process_visit(payload)
    [rollup] = rollups_of(portfolio_id)
    assert len(rollup["referrers"]) == visits.MAX_REFERRERS_PER_DAY + 1
    assert rollup["referrers"][visits.OTHER_REFERRER] == 5


def test_visits_can_be_switched_off(make_app, portfolio_factory):
    app = make_app(VISITS_ENABLED=False)
    portfolio_id = portfolio_factory()["id"]
    view(app, portfolio_id)
    assert mongo_db()[VISITS].count_documents({}) == 0


@pytest.fixture
def worker_queue(test_config):
    """A queue of this test's own on the shared Redis, deleted afterwards."""
    import redis
    queue = f"vitrine-visits-{uuid.uuid4().hex[:8]}"
    yield queue
    redis.Redis.from_url(test_config.REDIS_URL).delete(queue)


def queued_app(make_app, queue):
    """An app that publishes its tasks to `queue`, where no worker listens."""
    app = make_app(CELERY_ALWAYS_EAGER=False,
                   CELERY={**Config.CELERY, "task_default_queue": queue})
    assert not app.extensions["celery"].conf.task_always_eager
    return app


def queued_tasks(app, queue):
    """`[(task name, args, has an ETA)]` of the messages waiting in `queue`, oldest first."""
    messages = [json.loads(message) for message in app.extensions["redis"].lrange(queue, 0, -1)]
    return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0],
             message["headers"]["eta"] is not None) for message in reversed(messages)]


def test_each_view_is_stored_and_one_task_per_second_counts_them(make_app, portfolio_factory,
                                                                  worker_queue):
    app = queued_app(make_app, worker_queue)
    portfolio_id = portfolio_factory()["id"]
    for n in range(5):
        view(app, portfolio_id, ip=f"8.8.4.{n}")
    # One message, due a second later: it counts all five (and whatever else comes meanwhile).
    assert queued_tasks(app, worker_queue) == [("vitrine.count_visits", [], True)]
    waiting = list(mongo_db()[VISIT_OUTBOX].find())
    assert len(waiting) == 5 and rollups_of(portfolio_id) == []
    assert {visit["country"] for visit in waiting} == {"US"}
    assert not any("8.8.4." in text for text in all_documents())
    assert app.extensions["celery"].tasks["vitrine.count_visits"].apply().get() == 5
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"]) == (5, 5)


def test_a_visit_mongodb_does_not_take_goes_to_a_worker_through_redis(
        make_app, portfolio_factory, worker_queue, monkeypatch, caplog):
    from pymongo.errors import NetworkTimeout
    app = queued_app(make_app, worker_queue)
    portfolio_id = portfolio_factory()["id"]

    def mongodb_too_slow(records):
        raise NetworkTimeout("timed out")
    monkeypatch.setattr(visits, "store_visits", mongodb_too_slow)
    with caplog.at_level(logging.WARNING, logger="app.services.visits"):
        view(app, portfolio_id, ip="193.51.24.1")
    assert "handed to a worker through Redis" in caplog.text
    [(task, [record], delayed)] = queued_tasks(app, worker_queue)
    assert task == "vitrine.process_visit" and not delayed
    assert record["country"] == "FR" and "193.51.24.1" not in json.dumps(record)
    monkeypatch.undo()
    for _delivery in range(2):  # its worker died before acknowledging the first delivery
        app.extensions["celery"].tasks[task].apply(args=(record,))
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["countries"]) == (1, {"FR": 1})


def test_with_redis_down_visits_wait_in_the_outbox_until_the_sweep_counts_them(
        make_app, portfolio_factory, caplog):
    app = make_app(CELERY_ALWAYS_EAGER=False)
    app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:1/0"  # Redis gone since start-up
    portfolio_id = portfolio_factory()["id"]
    started = datetime.now()
    with caplog.at_level(logging.WARNING, logger="app.services.visits"):
        for n in range(3):
            view(app, portfolio_id, ip=f"193.51.24.{n + 1}")
    assert datetime.now() - started < timedelta(seconds=3)
    assert caplog.text.count("visits wait in the outbox") == 1  # one try a second, not one a view
    assert rollups_of(portfolio_id) == [] and mongo_db()[VISIT_OUTBOX].count_documents({}) == 3
    assert not any("193.51.24." in text for text in all_documents())
    result = app.test_cli_runner().invoke(args=["count-visits"])  # cron, where Redis is gone
    assert result.exit_code == 0 and "3 waiting visits processed" in result.output
    assert app.extensions["celery"].tasks["vitrine.count_visits"].apply().get() == 0  # beat's
    [rollup] = rollups_of(portfolio_id)
    assert (rollup["views"], rollup["unique_visitors"], rollup["countries"]) == (3, 3, {"FR": 3})


def test_a_visit_queued_before_the_outbox_still_counts_and_its_address_is_dropped(
        app, portfolio_id):
    record = payload_for(app, portfolio_id, ip="193.51.24.1")
    queued = {**{name: value for name, value in record.items()
                 if name not in ("country", "city", "visitor_key")},
              "ip": "193.51.24.1", "do_not_track": False}
    assert process_visit(queued) is True
    [visit] = mongo_db()[VISITS].find()
    assert visit["country"] == "FR" and visit["visitor_key"] == record["visitor_key"]
    assert not any("193.51.24.1" in text for text in all_documents())


def test_without_redis_at_start_up_tasks_run_eagerly(make_app, portfolio_factory):
    """A bare `make run`: no broker at all, visits are still counted (in the request)."""
    app = make_app(CELERY_ALWAYS_EAGER=False, REDIS_URL="redis://127.0.0.1:1/0")
    assert app.extensions["celery"].conf.task_always_eager
    portfolio_id = portfolio_factory()["id"]
    view(app, portfolio_id)
    assert total_views(portfolio_id) == 1


def test_a_failure_while_recording_never_breaks_the_page(make_app, portfolio_factory, caplog):
    app = make_app(GEOIP_DB_PATH="/nonexistent/GeoLite2-City.mmdb")
    portfolio_id = portfolio_factory()["id"]
    with caplog.at_level(logging.ERROR, logger="app.services.visits"):
        view(app, portfolio_id)  # does not raise
    assert "not recorded" in caplog.text


def test_the_capped_collection_exists_with_its_indexes(app, test_database):
    options = test_database[VISITS].options()
    assert options["capped"] is True and options["size"] == app.config["VISITS_CAPPED_BYTES"]
    assert "portfolio_1_at_-1" in test_database[VISITS].index_information()
    assert "expires_at_1" in test_database[VISITOR_KEYS].index_information()
    outbox = test_database[VISIT_OUTBOX].index_information()
    assert outbox["due_at_1"]["sparse"] and outbox["expires_at_1"]["expireAfterSeconds"] == 0


@pytest.mark.real_mongo
def test_a_worker_that_started_while_mongodb_was_down_still_writes_a_capped_log(
        app, portfolio_id, test_database, monkeypatch):
    """Its start-up check failed; its first visit must not create `visits` as an ordinary
    (never rolling over) collection by inserting into it."""
    from app.models import audience
    monkeypatch.setattr(audience, "_READY_DATABASES", set())
    test_database.drop_collection(VISITS)
    view(app, portfolio_id)
    assert test_database[VISITS].options().get("capped") is True
    assert mongo_db()[VISITS].count_documents({}) == 1


def test_the_create_visits_collection_command(app, test_database):
    test_database.drop_collection(VISITS)
    result = app.test_cli_runner().invoke(args=["create-visits-collection"])
    assert result.exit_code == 0, result.output
    assert test_database[VISITS].options()["capped"] is True
    result = app.test_cli_runner().invoke(args=["create-visits-collection"])  # idempotent
    assert result.exit_code == 0, result.output


def test_deleting_a_portfolio_removes_its_audience(app, auth_client, portfolio_factory):
    kept, deleted = portfolio_factory()["id"], portfolio_factory(title="Other")["id"]
    for portfolio_id in (kept, deleted):
        view(app, portfolio_id)
        Notification(user=ObjectId(auth_client.user["id"]), portfolio=ObjectId(portfolio_id),
                     kind="daily_digest", message="1 view").save()
    visits.store_visits([payload_for(app, deleted, ip="1.1.1.1")])  # not counted yet
    assert auth_client.delete(f"/api/v1/portfolios/{deleted}").status_code == 204
    assert visits.count_waiting_visits() == 0  # it went with its portfolio
    db = mongo_db()
    for collection in (VISITS, VISITOR_KEYS):
        assert {doc["portfolio"] for doc in db[collection].find()} == {ObjectId(kept)}
    assert {doc["portfolio"] for doc in db[ROLLUPS].find()} == {ObjectId(kept)}
    assert [n.portfolio for n in Notification.objects] == [ObjectId(kept)]


def test_deleting_the_account_removes_its_notifications(app, auth_client, portfolio_id):
    from .conftest import PASSWORD
    Notification(user=ObjectId(auth_client.user["id"]), kind="daily_digest",
                 message="1 view").save()
    response = auth_client.delete("/api/v1/auth/me", json={"password": PASSWORD})
    assert response.status_code == 204
    assert Notification.objects.count() == 0 and mongo_db()[ROLLUPS].count_documents({}) == 0


def test_the_account_export_has_notifications_and_daily_visits(app, auth_client, portfolio_id):
    import io
    import json
    import zipfile
    Notification(user=ObjectId(auth_client.user["id"]), kind="daily_digest",
                 message="4 views yesterday", key="digest:x").save()
    view(app, portfolio_id)
    response = auth_client.get("/api/v1/auth/me/export")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    [notification] = json.loads(archive.read("notifications.json"))
    assert notification["message"] == "4 views yesterday" and "key" not in notification
    slug = Portfolio.objects.get(id=portfolio_id).slug
    [day] = json.loads(archive.read(f"portfolios/{slug}/daily_visits.json"))
    assert (day["views"], day["countries"]) == (1, {"US": 1})
    assert "applied" not in day


# --- through the real routes -------------------------------------------------------------------

def test_page_and_pdf_views_through_a_trusted_proxy(make_app, portfolio_factory):
    app = make_app(TRUSTED_PROXIES=1)
    portfolio = portfolio_factory(full=True)
    browser = app.test_client()
    headers = {"User-Agent": FIREFOX, "X-Forwarded-For": "193.51.24.1"}
    assert browser.get(f"/p/{portfolio['slug']}", headers=headers).status_code == 200
    assert browser.get(f"/p/{portfolio['slug']}.pdf",
                       headers={**headers, "X-Forwarded-For": "8.8.8.8"}).status_code == 200
    [rollup] = rollups_of(portfolio["id"])
    assert rollup["countries"] == {"FR": 1, "US": 1}
    assert rollup["kinds"] == {"page": 1, "pdf": 1}


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(app, portfolio_factory):
    portfolio = portfolio_factory()
    app.test_client().get(f"/p/{portfolio['slug']}",
                          headers={"User-Agent": FIREFOX, "X-Forwarded-For": "193.51.24.1"})
    [visit] = mongo_db()[VISITS].find()
    assert visit["country"] is None  # 127.0.0.1, the test client's own address


def test_recruiter_page_views_count_for_their_link(app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    link = auth_client.post(f"/api/v1/portfolios/{portfolio['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    browser = app.test_client()
    assert browser.get(f"/r/{link['token']}", headers={"User-Agent": FIREFOX}).status_code == 200
    assert browser.get(f"/r/{link['token']}.pdf",
                       headers={"User-Agent": CHROME}).status_code == 200
    [rollup] = rollups_of(portfolio["id"])
    assert rollup["sources"] == {link["id"]: 2}


def test_the_owner_previewing_the_page_and_bots_are_not_counted(app, auth_client,
                                                                portfolio_factory):
    portfolio = portfolio_factory()
    page = f"/p/{portfolio['slug']}"
    owner = {"User-Agent": FIREFOX, "Authorization": f"Bearer {auth_client.tokens['access_token']}"}
    assert app.test_client().get(page, headers=owner).status_code == 200
    assert app.test_client().get(page, headers={"User-Agent": "Twitterbot/1.0"}).status_code == 200
    assert rollups_of(portfolio["id"]) == []


def test_the_password_form_is_not_a_view(app, auth_client, portfolio_factory):
    portfolio = portfolio_factory()
    assert auth_client.patch(f"/api/v1/portfolios/{portfolio['id']}",
                             json={"password": "open sesame 42"}).status_code == 200
    response = app.test_client().get(f"/p/{portfolio['slug']}", headers={"User-Agent": FIREFOX})
    assert response.status_code == 401
    assert rollups_of(portfolio["id"]) == []


def test_proof_downloads_through_the_routes(app, auth_client, portfolio_factory):
    from .test_proofs import pdf_bytes, upload
    portfolio = portfolio_factory()
    proof = upload(auth_client, portfolio["id"], pdf_bytes(), visibility="public").get_json()
    link = auth_client.post(f"/api/v1/portfolios/{portfolio['id']}/recruiter-links/",
                            json={"label": "Acme"}).get_json()
    browser = app.test_client()
    assert browser.get(f"/p/{portfolio['slug']}/proofs/{proof['id']}",
                       headers={"User-Agent": FIREFOX}).status_code == 200
    assert browser.get(f"/r/{link['token']}/proofs/{proof['id']}",
                       headers={"User-Agent": CHROME}).status_code == 200
    [rollup] = rollups_of(portfolio["id"])
    assert rollup["kinds"] == {"proof": 2} and rollup["sources"] == {"public": 1, link["id"]: 1}
