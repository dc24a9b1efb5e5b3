"""Autosave cost: PATCH of a full portfolio (33 items) through the API versus a raw pymongo
`update_one` of the same document on the same mongod, in one run.

    .venv/bin/python scripts/bench_autosave.py [--requests 300]

The API runs under gunicorn (one sync worker) on 127.0.0.1; the client keeps its connection
alive. MongoDB: MONGODB_URI if set, else a throwaway local mongod.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymongo
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo_content import demo_portfolio_content  # noqa: E402
from scripts import local_mongod  # noqa: E402


def timed(call, count):
    samples = []
    for number in range(count):
        start = time.perf_counter()
        call(number)
        samples.append(time.perf_counter() - start)
    return samples


def summary(samples):
    ordered = sorted(samples)
    return {"median_ms": statistics.median(ordered) * 1000,
            "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
            "per_second": len(samples) / sum(samples)}


def start_server(mongodb_uri, port):
    env = {**os.environ, "MONGODB_URI": mongodb_uri, "APP_ENV": "development",
           "RATELIMIT_REGISTER_PER_IP": "1000/minute"}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def run(mongodb_uri, count):
    port = local_mongod.free_port()
    server = start_server(mongodb_uri, port)
    base = f"http://127.0.0.1:{port}/api/v1"
    session = requests.Session()
    try:
        account = session.post(f"{base}/auth/register", json={
            "email": f"bench-{time.time_ns()}@example.com",
            "password": "benchmark passphrase", "full_name": "Bench"}).json()
        session.headers["Authorization"] = f"Bearer {account['access_token']}"
        portfolio = session.post(f"{base}/portfolios/", json={"title": "Bench"}).json()
        url = f"{base}/portfolios/{portfolio['id']}"
        full = session.patch(url, json=demo_portfolio_content()).json()
        body = {field: full[field] for field in (
            "title", "description", "profile", "layout", "theme", "links", "diplomas",
            "certifications", "experiences", "trainings", "projects", "skills")}
        items = sum(len(full[field]) for field in (
            "links", "diplomas", "certifications", "experiences", "trainings", "projects",
            "skills"))

        def api_patch(number):
            response = session.patch(url, json={**body, "title": f"Autosave {number}"})
            assert response.status_code == 200, response.text

        api = timed(api_patch, count)

        collection = pymongo.MongoClient(mongodb_uri).get_default_database()["portfolios"]
        document = collection.find_one({"slug": full["slug"]})
        raw_set = {field: document[field] for field in (
            "title", "description", "profile", "layout", "theme", "links", "diplomas",
            "certifications", "experiences", "trainings", "projects", "skills")}

        def raw_update(number):
            collection.update_one({"_id": document["_id"]},
                                  {"$set": {**raw_set, "title": f"Raw {number}"},
                                   "$inc": {"version": 1}})

        raw = timed(raw_update, count)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return items, summary(api), summary(raw)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    options = parser.parse_args()
    uri = os.environ.get("MONGODB_URI")
    if uri:
        results = run(uri, options.requests)
    else:
        with tempfile.TemporaryDirectory() as dbpath:
            server_uri, process = local_mongod.start(dbpath)
            try:
                results = run(server_uri.replace("/?", "/bench_autosave?"), options.requests)
            finally:
                process.terminate()
                process.wait(timeout=30)
    items, api, raw = results
    print(f"full portfolio: {items} items, {options.requests} saves each")
    print(f"API PATCH (gunicorn, HTTP):  median {api['median_ms']:.2f} ms  "
          f"p95 {api['p95_ms']:.2f} ms  {api['per_second']:.0f}/s")
    print(f"raw pymongo update_one:      median {raw['median_ms']:.2f} ms  "
          f"p95 {raw['p95_ms']:.2f} ms  {raw['per_second']:.0f}/s")
    print(f"ratio API / raw (median): {api['median_ms'] / raw['median_ms']:.1f}x")


if __name__ == "__main__":
    main()
