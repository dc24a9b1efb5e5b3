"""What counting a visit costs the page: `GET /p/<slug>` with visit recording off and on (Redis
up), in the same run.

    .venv/bin/python scripts/bench_visits.py [--calls 300] [--rounds 5]

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py); Redis:
REDIS_URL or 127.0.0.1:6379 (a queue of its own, deleted at the end; no worker consumes it, so
the visits only cost what they cost the request). Requests go through the Flask test client in
this process, one at a time, each from an address of its own (one trusted proxy), so every
request is a visit to record. Off and on alternate in `--rounds` rounds of `--calls` requests
each (after a warm-up), so that both see the same machine; the figures are the median and the
90th percentile of all the calls of each.

It uses nothing but the app factory and the page, so the same script measures an older checkout
(`git archive <commit> | tar -x -C /tmp/old`, then run its copy of this script with this venv).
"""
import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402
from scripts.bench_stats import BROWSER, make_app, new_portfolio  # noqa: E402

DATABASE = "vitrine_bench_visits"


class Visitors:
    """Page views, each from a new address."""

    def __init__(self, app, slug):
        self.client, self.path, self.sent = app.test_client(), f"/p/{slug}", 0

    def view(self):
        self.sent += 1
        address = f"10.{self.sent // 65025 % 250}.{self.sent // 255 % 255}.{self.sent % 255 + 1}"
        started = time.perf_counter()
        response = self.client.get(self.path, headers={"User-Agent": BROWSER,
                                                       "X-Forwarded-For": address})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed


def recording_times(app, slug, calls):
    """Microseconds `record_visit` takes by itself, as the page calls it (each call from an
    address of its own)."""
    from app.models.portfolio import Portfolio
    from app.services.visits import record_visit
    with app.app_context():
        portfolio = Portfolio.objects.get(slug=slug)
    timings = []
    for n in range(calls):
        address = f"10.{n // 65025 % 250}.{n // 255 % 255}.{n % 255 + 1}"
        with app.test_request_context(f"/p/{slug}", headers={"User-Agent": BROWSER},
                                      environ_base={"REMOTE_ADDR": address}):
            started = time.perf_counter()
            record_visit(portfolio, "page")
            timings.append((time.perf_counter() - started) * 1e6)
    return timings


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=30)
    options = parser.parse_args()
    queue = f"vitrine-bench-{uuid.uuid4().hex[:8]}"

    with local_mongod.throwaway_database(DATABASE) as (_, uri):
        on_app = make_app(uri, queue, TRUSTED_PROXIES=1)
        redis = on_app.extensions["redis"]
        assert on_app.extensions["redis_available"], "this benchmark needs Redis up"
        try:
            slug = new_portfolio(on_app.test_client(), "Visits")[0]["slug"]
            off = Visitors(make_app(uri, queue, TRUSTED_PROXIES=1, VISITS_ENABLED=False), slug)
            on = Visitors(on_app, slug)
            for visitors in (off, on):
                for _ in range(options.warmup):
                    visitors.view()
            timings = {"off": [], "on": []}
            for _round in range(options.rounds):
                for name, visitors in (("off", off), ("on", on)):
                    timings[name] += [visitors.view() for _ in range(options.calls)]
            recording = recording_times(on_app, slug, options.calls * options.rounds)
            queued = redis.llen(queue)
        finally:
            redis.delete(queue)

    print(f"GET /p/<slug>, Flask test client in-process, {options.rounds} x {options.calls} "
          f"calls each, Redis up, no worker")
    for name in ("off", "on"):
        print(f"  recording {name:<3}  p50 {statistics.median(timings[name]):6.2f} ms   "
              f"p90 {percentile(timings[name], 0.9):6.2f} ms")
    cost = statistics.median(timings["on"]) - statistics.median(timings["off"])
    print(f"  recording a visit costs the request {cost:+.2f} ms at p50")
    print(f"  record_visit alone ({len(recording)} calls): p50 {statistics.median(recording):.0f}"
          f" us   p90 {percentile(recording, 0.9):.0f} us   ({queued} messages were published "
          f"to Redis in all)")


if __name__ == "__main__":
    main()
