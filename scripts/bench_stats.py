"""Latency of the stats endpoint with 1,000 and with 1,000,000 visits' worth of data, and of
`GET /p/<slug>` with visit recording on and off, in the same run.

    .venv/bin/python scripts/bench_stats.py [--calls 50] [--raw-visits 1000000]

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py); Redis:
REDIS_URL or 127.0.0.1:6379 (a queue of its own, deleted at the end). Requests go through the
Flask test client in this process (no network), one at a time; each figure is the median of
`--calls` calls after a warm-up.

- Small: 1,000 visits through the real pipeline (`visit_record`: geolocation, visitor key;
  `process_visit`: outbox, raw log, rollup) spread over the last 30 days of one portfolio.
- Big: another portfolio with 1,000,000 visits' worth: one rollup per day for 365 days (bulk
  insert) plus, with `--raw-visits`, that many raw visit documents in the capped collection,
  which the stats never read.
- Page: the same portfolio page with VISITS_ENABLED off, on (the visit is stored in the outbox
  and a counting task queued in Redis at most once a second), and on with the broker down (the
  visit waits in the outbox for the sweep).
"""
import argparse
import logging
import random
import statistics
import sys
import time
import uuid
from datetime import datetime, time as day_time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402

DATABASE = "vitrine_bench_stats"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
ADDRESSES = ["8.8.8.8", "193.51.24.1", "81.2.69.142", "89.160.20.112", "1.1.1.1",
             "151.101.1.69", "2.125.160.216", "5.39.0.1"]
COUNTRIES = ["US", "FR", "GB", "SE", "AU", "DE", "CA", "IN"]


def make_app(uri, queue, **overrides):
    from app import create_app
    from config import Config
    settings = {"MONGODB_URI": uri, "RATELIMIT_ENABLED": False,
                "CELERY": {**Config.CELERY, "task_default_queue": queue}, **overrides}
    return create_app(type("BenchConfig", (Config,), settings))


def new_portfolio(client, title):
    account = client.post("/api/v1/auth/register", json={
        "email": f"bench-{uuid.uuid4().hex[:10]}@example.com",
        "password": "bench horse battery staple", "full_name": "Camille Martin"}).get_json()
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    from app.demo_content import demo_portfolio_content
    portfolio = client.post("/api/v1/portfolios/", json={"title": title, "is_private": False},
                            headers=headers).get_json()
    response = client.patch(f"/api/v1/portfolios/{portfolio['id']}",
                            json=demo_portfolio_content(), headers=headers)
    assert response.status_code == 200, response.get_json()
    return portfolio, headers


def load_small(app, portfolio_id, visits):
    """`visits` visits through the real pipeline (request side, then the task's work), at
    random times of the last 30 days, from a few thousand addresses."""
    from app.models.audience import utc_today
    from app.models.portfolio import Portfolio
    from app.services.visits import process_visit, visit_record
    start = datetime.combine(utc_today() - timedelta(days=29), day_time(0, 0))
    randomness = random.Random(1)
    with app.app_context():
        portfolio = Portfolio.objects.get(id=portfolio_id)
        for n in range(visits):
            address = f"{randomness.choice(ADDRESSES).rsplit('.', 1)[0]}.{n % 250 + 1}"
            referrer = randomness.choice(["", "https://www.linkedin.com/", "https://github.com/"])
            at = start + timedelta(seconds=randomness.randrange(30 * 86400))
            with app.test_request_context(f"/p/{portfolio.slug}", headers={
                    "User-Agent": BROWSER, "Referer": referrer},
                    environ_base={"REMOTE_ADDR": address}):
                record = visit_record(portfolio, randomness.choice(["page", "page", "pdf"]),
                                      at=at)
            process_visit(record)


def load_big(db, portfolio_id, visits, raw_visits):
    """`visits` visits' worth of daily rollups over 365 days (and `raw_visits` raw documents)."""
    from bson import ObjectId
    from app.models.audience import ROLLUPS, VISITS, rollup_id, utc_today
    days = 365
    per_day = visits // days
    rollups = []
    for offset in range(days):
        day = (utc_today() - timedelta(days=offset)).isoformat()
        views = per_day + (visits - per_day * days if offset == 0 else 0)
        share = views // len(COUNTRIES)
        countries = {code: share for code in COUNTRIES}
        countries[COUNTRIES[0]] += views - share * len(COUNTRIES)
        rollups.append({"_id": rollup_id(portfolio_id, day), "portfolio": ObjectId(portfolio_id),
                        "day": day, "views": views, "unique_visitors": views * 7 // 10,
                        "countries": countries, "sources": {"public": views},
                        "kinds": {"page": views - views // 5, "pdf": views // 5},
                        "referrers": {"www\u2024linkedin\u2024com": views // 3},
                        "applied": [ObjectId() for _ in range(500)]})
    db[ROLLUPS].insert_many(rollups)
    batch, inserted = 20_000, 0
    now = datetime.utcnow()
    while inserted < raw_visits:
        size = min(batch, raw_visits - inserted)
        db[VISITS].insert_many([{
            "portfolio": ObjectId(portfolio_id), "kind": "page", "source": "public",
            "at": now - timedelta(seconds=n), "referrer_host": None, "user_agent_family": "Firefox",
            "country": COUNTRIES[n % len(COUNTRIES)], "city": None,
            "visitor_key": uuid.uuid4().hex, "counted": True} for n in range(size)],
            ordered=False)
        inserted += size


def median_ms(call, calls, warmup=5):
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def get_ok(client, path, **kwargs):
    def call():
        response = client.get(path, **kwargs)
        assert response.status_code == 200, (path, response.status_code)
    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--small-visits", type=int, default=1_000)
    parser.add_argument("--big-visits", type=int, default=1_000_000)
    parser.add_argument("--raw-visits", type=int, default=1_000_000,
                        help="raw visit documents added for the big case (0: rollups only)")
    options = parser.parse_args()
    queue = f"vitrine-bench-{uuid.uuid4().hex[:8]}"

    with local_mongod.throwaway_database(DATABASE) as (_, uri):
        from pymongo import MongoClient
        db = MongoClient(uri).get_default_database()
        app = make_app(uri, queue)
        try:
            client = app.test_client()
            small, small_auth = new_portfolio(client, "Small audience")
            big, big_auth = new_portfolio(client, "Big audience")

            started = time.perf_counter()
            load_small(app, small["id"], options.small_visits)
            small_load = time.perf_counter() - started
            started = time.perf_counter()
            load_big(db, big["id"], options.big_visits, options.raw_visits)
            big_load = time.perf_counter() - started

            stats = {}
            for name, portfolio, auth in (("small", small, small_auth), ("big", big, big_auth)):
                for days in (30, 365):
                    path = f"/api/v1/portfolios/{portfolio['id']}/stats?days={days}"
                    stats[name, days] = median_ms(get_ok(client, path, headers=auth),
                                                  options.calls)
            totals = {name: client.get(f"/api/v1/portfolios/{portfolio['id']}/stats?days=365",
                                       headers=auth).get_json()["total_views"]
                      for name, portfolio, auth in (("small", small, small_auth),
                                                    ("big", big, big_auth))}

            page = f"/p/{small['slug']}"
            visitor = {"User-Agent": BROWSER}
            off_app = make_app(uri, queue, VISITS_ENABLED=False)
            page_off = median_ms(get_ok(off_app.test_client(), page, headers=visitor),
                                 options.calls)
            page_on = median_ms(get_ok(client, page, headers=visitor), options.calls)
            queued = app.extensions["redis"].llen(queue)
            fallback_app = make_app(uri, queue)
            fallback_app.extensions["celery"].conf.broker_url = "redis://127.0.0.1:1/0"
            logging.getLogger("app.services.visits").setLevel(logging.ERROR)  # one per request
            page_fallback = median_ms(get_ok(fallback_app.test_client(), page, headers=visitor),
                                      options.calls)
            raw_count = db["visits"].estimated_document_count()
        finally:
            app.extensions["redis"].delete(queue)

    print(f"Flask test client, in-process, median of {options.calls} calls")
    print(f"loaded: small {options.small_visits:,} visits through the pipeline "
          f"({totals['small']:,} counted, the rest 30-minute repeats) in {small_load:.1f} s; "
          f"big {totals['big']:,} visits' worth of rollups + {options.raw_visits:,} raw visits "
          f"in {big_load:.1f} s (raw visits in the capped collection now: {raw_count:,})")
    for days in (30, 365):
        print(f"GET /stats?days={days:<3}  small: {stats['small', days]:6.2f} ms   "
              f"big: {stats['big', days]:6.2f} ms   big/small: "
              f"{stats['big', days] / stats['small', days]:.2f}")
    print(f"GET /p/<slug>  recording off: {page_off:6.2f} ms   on: {page_on:6.2f} ms "
          f"  on/off: {page_on / page_off:.2f}   ({queued} counting tasks were queued)")
    print(f"GET /p/<slug>  on, broker down (the visit waits in the outbox): "
          f"{page_fallback:6.2f} ms   broker down/off: {page_fallback / page_off:.2f}")


if __name__ == "__main__":
    main()
