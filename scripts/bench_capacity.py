"""What one app process and one worker take: the figures of docs/scaling.md, in one run.

    .venv/bin/python scripts/bench_capacity.py [--requests 2000] [--concurrency 4] [--portfolios 5]

1. Pages: requests/s of `GET /p/<slug>` (HTML, every section filled) served by ONE gunicorn sync
   worker, each request from a visitor of its own (an address of its own behind one trusted
   proxy, a browser's User-Agent), so that every request is a visit to record:
   - with Redis: the visit is handed over to the workers (none runs meanwhile);
   - without Redis (REDIS_URL empty, the PythonAnywhere set-up): counted in the request.
2. Worker: the visits of the "with Redis" run wait; then ONE Celery worker (solo pool, one
   process) is started, and the visits/s it works through are timed from the first visit it
   processed to the last (the raw log `visits` gains one document per visit processed).

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py). Redis:
REDIS_URL or redis://127.0.0.1:6379/0, on a queue of this run's own (deleted at the end).
Client threads in this process, a new connection per request (gunicorn's sync workers close
them), everything on 127.0.0.1: client, server, worker and mongod share the machine's cores.
"""
import argparse
import http.client
import os
import random
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402
from scripts.bench_public import seed, serve  # noqa: E402

DATABASE = "vitrine_bench_capacity"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
WORKER_IDLE_SECONDS = 10


def visitor_address():
    """A public-looking IPv4 address (geolocated like a real visitor's)."""
    return ".".join(str(part) for part in (random.randint(1, 223), random.randint(0, 255),
                                           random.randint(0, 255), random.randint(1, 254)))


def page_view(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"User-Agent": BROWSER,
                                                 "X-Forwarded-For": visitor_address()})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def pages_per_second(port, slugs, requests, concurrency):
    paths = [f"/p/{slugs[number % len(slugs)]}" for number in range(requests)]
    for path in paths[:20]:  # warm-up (templates, connections)
        page_view(port, path)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        statuses = list(pool.map(lambda path: page_view(port, path), paths))
    elapsed = time.perf_counter() - started
    if set(statuses) != {200}:
        raise RuntimeError(f"statuses: {sorted(set(statuses))}")
    return requests / elapsed, requests + 20


def worker_visits_per_second(uri, environment, expected):
    """Start one worker on the waiting visits; `(visits/s, visits processed)`."""
    from pymongo import MongoClient
    visits = MongoClient(uri).get_default_database()["visits"]
    before = visits.count_documents({})
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--pool=solo",
         "--loglevel=warning", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=environment)
    try:
        first = last = None
        processed = 0
        while processed < expected:
            time.sleep(0.1)
            processed = visits.count_documents({}) - before
            now = time.perf_counter()
            if processed and first is None:
                first, first_count = now, processed
            if last is not None and processed == last[1] and now - last[0] > WORKER_IDLE_SECONDS:
                break  # nothing more to do
            if last is None or processed != last[1]:
                last = (now, processed)
        elapsed = last[0] - first
        return (processed - first_count) / elapsed if elapsed else float("nan"), processed
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--portfolios", type=int, default=5)
    options = parser.parse_args()

    with local_mongod.throwaway_database(DATABASE) as (_, uri):
        slugs = [seed(uri) for _ in range(options.portfolios)]
        queue = f"vitrine-bench-{uuid.uuid4().hex[:8]}"
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        common = {"TRUSTED_PROXIES": "1", "CELERY_QUEUE": queue}
        figures = {}
        for label, redis in (("with Redis (handed to the workers)", redis_url),
                             ("without Redis (counted in the request)", "")):
            os.environ.update(common, REDIS_URL=redis)
            process, port = serve("wsgi:app", uri, 1)
            try:
                figures[label] = pages_per_second(port, slugs, options.requests,
                                                  options.concurrency)
            finally:
                process.terminate()
                process.wait(timeout=30)
            if redis:
                environment = {**os.environ, "MONGODB_URI": uri, "PYTHONPATH": str(ROOT)}
                worker = worker_visits_per_second(uri, environment, figures[label][1])
                Redis.from_url(redis_url).delete(queue)

    print(f"one gunicorn sync worker, {options.requests} requests, {options.concurrency} "
          f"concurrent clients, {options.portfolios} portfolios, every request a new visitor")
    for label, (rate, _) in figures.items():
        print(f"GET /p/<slug> {label}: {rate:7.1f} pages/s")
    print(f"one Celery worker (solo pool): {worker[0]:7.1f} visits/s "
          f"({worker[1]} visits processed)")


if __name__ == "__main__":
    main()
