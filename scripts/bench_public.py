"""Requests/second of the public page `GET /p/<slug>` under gunicorn, against a bare
Flask + pymongo endpoint that returns the same portfolio document as JSON, in the same run.

    .venv/bin/python scripts/bench_public.py [--requests 2000] [--concurrency 8] [--workers 2]

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py). Both servers
listen on 127.0.0.1 only, on free ports, with the same gunicorn settings; the client sends a
bounded number of requests from threads of this process (new connection per request, as
gunicorn's sync workers close them). The ratio says what templates, the visibility rule and
the app's middleware cost per page over fetching the document at all.
"""
import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402

DATABASE = "vitrine_bench"


def make_bare_app():
    """The baseline (gunicorn factory): one find_one by slug, the document as JSON."""
    from bson import json_util
    from flask import Flask, Response, abort
    from pymongo import MongoClient

    app = Flask("bare")
    collection = MongoClient(os.environ["MONGODB_URI"]).get_default_database()["portfolios"]

    @app.get("/p/<slug>")
    def page(slug):
        document = collection.find_one({"slug": slug})
        if document is None:
            abort(404)
        return Response(json_util.dumps(document), mimetype="application/json")

    return app


def _with_database(uri, name):
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def seed(uri):
    """A demo portfolio (every section filled) through the API; returns its slug."""
    from app import create_app
    from app.demo_content import demo_portfolio_content
    from config import Config

    config = type("BenchSeedConfig", (Config,), {"MONGODB_URI": uri, "RATELIMIT_ENABLED": False})
    client = create_app(config).test_client()
    account = client.post("/api/v1/auth/register", json={
        "email": f"bench-{time.time_ns()}@example.com", "password": "bench horse battery staple",
        "full_name": "Camille Martin"}).get_json()
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    portfolio = client.post("/api/v1/portfolios/", json={"title": "Benchmark portfolio", "is_private": False},
                            headers=headers).get_json()
    response = client.patch(f"/api/v1/portfolios/{portfolio['id']}",
                            json=demo_portfolio_content(), headers=headers)
    assert response.status_code == 200, response.get_json()
    return portfolio["slug"]


def serve(target, uri, workers):
    port = local_mongod.free_port()
    env = {**os.environ, "MONGODB_URI": uri, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return process, port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.terminate()
                raise RuntimeError(f"gunicorn {target} did not start")
            time.sleep(0.2)


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, len(body)


def measure(port, path, requests, concurrency):
    status, size = _get(port, path)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    for _ in range(min(50, requests)):  # warm every worker
        _get(port, path)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        statuses = list(pool.map(lambda _: _get(port, path)[0], range(requests)))
    elapsed = time.perf_counter() - started
    failures = sum(status != 200 for status in statuses)
    if failures:
        raise RuntimeError(f"{failures} of {requests} requests to {path} failed")
    return requests / elapsed, size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as dbpath:
        mongod = None
        base_uri = os.environ.get("MONGODB_URI")
        if not base_uri:
            base_uri, mongod = local_mongod.start(dbpath)
        uri = _with_database(base_uri, DATABASE)
        servers = []
        try:
            slug = seed(uri)
            servers.append(serve("wsgi:app", uri, options.workers))
            servers.append(serve("scripts.bench_public:make_bare_app()", uri, options.workers))
            (_, app_port), (_, bare_port) = servers
            page_rps, page_size = measure(app_port, f"/p/{slug}", options.requests,
                                          options.concurrency)
            bare_rps, bare_size = measure(bare_port, f"/p/{slug}", options.requests,
                                          options.concurrency)
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(timeout=30)
            from pymongo import MongoClient
            MongoClient(base_uri).drop_database(DATABASE)
            if mongod is not None:
                mongod.terminate()
                mongod.wait(timeout=30)

    print(f"gunicorn, {options.workers} workers, {options.requests} requests, "
          f"{options.concurrency} concurrent clients, 127.0.0.1")
    print(f"GET /p/<slug> (HTML page, {page_size} bytes): {page_rps:8.1f} requests/s")
    print(f"bare Flask+pymongo JSON ({bare_size} bytes):    {bare_rps:8.1f} requests/s")
    print(f"ratio page / bare: {page_rps / bare_rps:.2f}")


if __name__ == "__main__":
    main()
