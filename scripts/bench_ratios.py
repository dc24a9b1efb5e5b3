"""Issue 16's two ratios in one run: published pages and the JSON views against a bare
Flask + pymongo endpoint (requests/s), and an autosave PATCH against a bare `$set` (latency).

    .venv/bin/python scripts/bench_ratios.py [--seconds 4] [--rounds 3] [--concurrency 8]
                                             [--workers 2]

Both apps run under gunicorn (same worker count, sync workers) on 127.0.0.1 against the same
mongod (MONGODB_URI, else a throw-away local one). The portfolio is published and holds 32 items;
GETs send a browser User-Agent, so /p/<slug> and /r/<token> count a visit each. The load comes
from wrk (Debian's package) as in the issue, else from threads of this process, each keeping its
http.client connection (gunicorn's sync workers close it after every answer; http.client opens
a new one) — those threads take CPU from the servers, which flatters slower endpoints. The autosave is one client sending
the whole 8-item skills section with If-Match, one request after the other; the bare `$set` is
timed with pymongo's default write concern (w=1) as the issue's baseline, and again with the
app's (w=majority), the same durability.

On a shared machine the load of other processes changes from one second to the next: each
figure is measured `--rounds` times, each time right after the bare endpoint's, and the ratio
printed is the median of the rounds' ratios (the rates and latencies printed are medians too).
For the GETs it also prints the CPU time the server's processes and the local mongod spent per
request, and that ratio (bare over app), which other processes' load does not move: on a
machine with nothing else running, the two ratios meet.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402
from scripts.bench_public import serve  # noqa: E402

DATABASE = "vitrine_bench_ratios"
BROWSER = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/126.0 Safari/537.36")
# The demo content less the smaller sections: 32 items, the skills section holding 8.
LEFT_OUT = ("languages", "volunteer", "awards", "publications", "interests", "references")
SECTION = "skills"


def make_bare_app():
    """The baseline (gunicorn factory): the document by slug as JSON; PATCH `$set`s the body's
    fields, bumps the version and returns the document."""
    from bson import json_util
    from flask import Flask, Response, abort, request
    from pymongo import MongoClient, ReturnDocument
    from pymongo.write_concern import WriteConcern

    app = Flask("bare")
    collection = MongoClient(os.environ["MONGODB_URI"]).get_default_database()["portfolios"]

    def as_json(document):
        if document is None:
            abort(404)
        return Response(json_util.dumps(document), mimetype="application/json",
                        headers={"ETag": f'"{document["version"]}"'})

    @app.get("/p/<slug>")
    def page(slug):
        return as_json(collection.find_one({"slug": slug}))

    def save(target, slug):
        return as_json(target.find_one_and_update(
            {"slug": slug}, {"$set": json_util.loads(request.get_data()), "$inc": {"version": 1}},
            return_document=ReturnDocument.AFTER))

    @app.patch("/p/<slug>")
    def save_w1(slug):
        return save(collection, slug)

    # The app's own write concern (app/extensions.py): acknowledged once a majority holds the
    # write, which on the single-node replica set means once it is in the journal.
    @app.patch("/majority/p/<slug>")
    def save_majority(slug):
        return save(collection.with_options(write_concern=WriteConcern("majority")), slug)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


def seed(uri):
    """A published 32-item portfolio with a recruiter link: `(slug, token, id, access token)`."""
    from pymongo import MongoClient

    from app import create_app
    from app.demo_content import demo_portfolio_content
    from config import Config

    config = type("BenchSeedConfig", (Config,), {"MONGODB_URI": uri, "RATELIMIT_ENABLED": False})
    client = create_app(config).test_client()
    email = f"bench-{time.time_ns()}@example.com"
    account = client.post("/api/v1/auth/register", json={
        "email": email, "password": "bench horse battery staple",
        "full_name": "Camille Martin"}).get_json()
    MongoClient(uri).get_default_database()["users"].update_one(
        {"email": email}, {"$currentDate": {"email_verified_at": True}})  # links need it
    headers = {"Authorization": f"Bearer {account['access_token']}"}
    portfolio = client.post("/api/v1/portfolios/", headers=headers, json={
        "title": "Benchmark portfolio", "is_private": False}).get_json()
    content = {key: value for key, value in demo_portfolio_content().items()
               if key not in LEFT_OUT}
    response = client.patch(f"/api/v1/portfolios/{portfolio['id']}", json=content,
                            headers=headers)
    assert response.status_code == 200, response.get_json()
    link = client.post(f"/api/v1/portfolios/{portfolio['id']}/recruiter-links",
                       json={"label": "Bench"}, headers=headers)
    assert link.status_code == 201, link.get_json()
    return portfolio["slug"], link.get_json()["token"], portfolio["id"], account["access_token"]


def _request(connection, method, path, body=None, headers=None):
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
    except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
        connection.close()  # the server closed the kept connection: once more on a new one
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
    data = response.read()
    return response.status, response.headers, data


def throughput(port, path, seconds, concurrency, cpu=None):
    """`(requests/s, CPU ms per request)` of GET `path` from `concurrency` connections for
    `seconds`; every answer a 200. The load comes from wrk when the machine has it (as in the
    issue: it takes little CPU from the servers), else from threads of this process. `cpu()`
    reads the CPU seconds the server and mongod have used (None: not measured)."""
    headers = {"User-Agent": BROWSER}
    status, _, body = _request(http.client.HTTPConnection("127.0.0.1", port), "GET", path,
                               headers=headers)
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}")
    load = _wrk if shutil.which("wrk") else _threads
    used = cpu() if cpu else 0
    rate, requests = load(port, path, seconds, concurrency, headers)
    used = cpu() - used if cpu else None
    return rate, (used * 1000 / requests if cpu else None)


def _wrk(port, path, seconds, concurrency, headers):
    arguments = ["wrk", "--threads", "2", "--connections", str(concurrency),
                 "--duration", f"{seconds:g}s"]
    for name, value in headers.items():
        arguments += ["--header", f"{name}: {value}"]
    report = subprocess.run(arguments + [f"http://127.0.0.1:{port}{path}"], check=True,
                            capture_output=True, text=True).stdout
    if "Non-2xx or 3xx responses" in report or "Socket errors" in report:
        raise RuntimeError(f"requests to {path} failed:\n{report}")
    return (float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
            int(re.search(r"(\d+) requests in", report).group(1)))


def cpu_reader(server, mongod_pid):
    """A function reading the CPU seconds used so far by the gunicorn `server` (its master and
    workers) and mongod: what one request costs the machine, whatever else runs on it."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return 0
        return (int(fields[11]) + int(fields[12])) / tick

    def children(pid):
        path = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(child) for child in path.read_text().split()] if path.exists() else []

    return lambda: sum(used(pid) for pid in (server.pid, *children(server.pid), mongod_pid)
                       if pid)


def _mongod_pid(uri):
    """The local mongod serving `uri`, found by its port (None when it is not on this machine)."""
    from urllib.parse import urlsplit
    parts = urlsplit(uri)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        return None
    listing = subprocess.run(["ss", "-ltnpH", f"sport = :{parts.port or 27017}"],
                             capture_output=True, text=True).stdout
    found = re.search(r"pid=(\d+)", listing)
    return int(found.group(1)) if found else None


def _threads(port, path, seconds, concurrency, headers):
    counts, failures = [0] * concurrency, [0] * concurrency
    stop = time.perf_counter() + seconds

    def load(number):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            status, _, _ = _request(connection, "GET", path, headers=headers)
            counts[number] += 1
            failures[number] += status != 200

    started = time.perf_counter()
    threads = [threading.Thread(target=load, args=(number,)) for number in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if sum(failures):
        raise RuntimeError(f"{sum(failures)} requests to {path} failed")
    return sum(counts) / elapsed, sum(counts)


def autosave_latency(port, path, section, seconds, authorization=None, encode=json.dumps):
    """Median and p95 latency (ms) of PATCHes of `section` with the last ETag as If-Match."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "User-Agent": BROWSER}
    if authorization:
        headers["Authorization"] = f"Bearer {authorization}"
    etag, samples, number = None, [], 0
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        number += 1
        items = [{**item, "name": f"{item['name'].split(' #')[0]} #{number}"} for item in section]
        body = encode({SECTION: items})
        started = time.perf_counter()
        status, response_headers, data = _request(
            connection, "PATCH", path, body=body,
            headers={**headers, **({"If-Match": etag} if etag else {})})
        samples.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"PATCH {path} answered {status}: {data[:300]!r}")
        etag = response_headers["ETag"]
    samples = sorted(samples[1:])  # the first one warms the worker
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95)] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

    with local_mongod.throwaway_database(DATABASE) as (_, uri):
        slug, token, portfolio_id, access_token = seed(uri)
        from pymongo import MongoClient
        section = MongoClient(uri).get_default_database()["portfolios"].find_one(
            {"slug": slug})[SECTION]
        servers = []
        try:
            servers.append(serve("wsgi:app", uri, options.workers))
            servers.append(serve("scripts.bench_ratios:make_bare_app()", uri, options.workers))
            (app_server, app_port), (bare_server, bare_port) = servers
            mongod_pid = _mongod_pid(uri)
            run = {"seconds": options.seconds, "concurrency": options.concurrency}
            cpu = {"app": cpu_reader(app_server, mongod_pid),
                   "bare": cpu_reader(bare_server, mongod_pid)}
            api_section = _api_items(app_port, portfolio_id, access_token)
            rounds = [_round(bare_port, app_port, slug, token, portfolio_id, access_token,
                             section, api_section, run, cpu) for _ in range(options.rounds)]
        finally:
            for process, _ in servers:
                process.terminate()
                process.wait(timeout=30)

    client = "wrk" if shutil.which("wrk") else "client threads"
    print(f"gunicorn, {options.workers} sync workers each, {options.concurrency} connections "
          f"({client}),"
          f" {options.seconds:g} s per figure, {options.rounds} rounds (medians), 32 items, "
          f"browser User-Agent")
    ratios = {}
    for label in rounds[0]:
        figures = [one_round[label] for one_round in rounds]
        ratio = statistics.median(figure["ratio"] for figure in figures)
        ratios[label] = ratio
        bare, app = (statistics.median(figure[side] for figure in figures)
                     for side in ("bare", "app"))
        unit = "ms" if label.startswith("autosave") else "req/s"
        each_round = ", ".join(f"{figure['ratio']:.2f}" for figure in figures)
        print(f"{label:31} {app:7.1f} {unit:5} (bare {bare:7.1f})  ratio {ratio:.2f}"
              f"  (rounds: {each_round})")
        if "cpu_ratio" in figures[0]:
            cpu_ratio = statistics.median(figure["cpu_ratio"] for figure in figures)
            app_cpu, bare_cpu = (statistics.median(figure[side] for figure in figures)
                                 for side in ("app_cpu", "bare_cpu"))
            print(f"{'':31} CPU per request {app_cpu:.2f} ms (bare {bare_cpu:.2f}), "
                  f"ratio {cpu_ratio:.2f}")
    print(f"RATIO pages: /p {ratios[PAGES[0][0]]:.2f}  /r {ratios[PAGES[1][0]]:.2f}  "
          f"JSON {ratios[PAGES[2][0]]:.2f}/{ratios[PAGES[3][0]]:.2f} (goal >= 0.8); "
          f"RATIO autosave {ratios['autosave']:.1f}x (goal <= 3; "
          f"{ratios['autosave, bare with w=majority']:.1f}x against a bare $set with the app's "
          f"write concern)")


PAGES = (("GET /p/<slug>", "/p/{slug}"), ("GET /r/<token>", "/r/{token}"),
         ("GET /api/v1/public/<slug>", "/api/v1/public/{slug}"),
         ("GET /api/v1/recruiter/<token>", "/api/v1/recruiter/{token}"))


def _round(bare_port, app_port, slug, token, portfolio_id, access_token, section, api_section,
           run, cpu):
    """Each figure of one round beside the bare endpoint's, measured just before it:
    label -> {"bare", "app", "ratio"} (requests/s for the GETs, median ms for the autosave);
    the GETs also give the CPU the servers and mongod spent per request ("bare_cpu", "app_cpu",
    ms) and its ratio, bare over app: the throughput ratio the same code would reach on a machine
    no other process loads."""
    from bson import json_util
    figures = {}
    for label, path in PAGES:
        bare, bare_cpu = throughput(bare_port, f"/p/{slug}", **run, cpu=cpu["bare"])
        app, app_cpu = throughput(app_port, path.format(slug=slug, token=token), **run,
                                  cpu=cpu["app"])
        figures[label] = {"bare": bare, "app": app, "ratio": app / bare, "bare_cpu": bare_cpu,
                          "app_cpu": app_cpu, "cpu_ratio": bare_cpu / app_cpu}
    bare, _ = autosave_latency(bare_port, f"/p/{slug}", section, run["seconds"],
                               encode=json_util.dumps)
    app, _ = autosave_latency(app_port, f"/api/v1/portfolios/{portfolio_id}", api_section,
                              run["seconds"], authorization=access_token)
    figures["autosave"] = {"bare": bare, "app": app, "ratio": app / bare}
    majority, _ = autosave_latency(bare_port, f"/majority/p/{slug}", section, run["seconds"],
                                   encode=json_util.dumps)
    figures["autosave, bare with w=majority"] = {"bare": majority, "app": app,
                                                 "ratio": app / majority}
    return figures


def _api_items(port, portfolio_id, access_token):
    """The section as the editor sends it: the API's own representation of its items."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    status, _, data = _request(connection, "GET", f"/api/v1/portfolios/{portfolio_id}",
                               headers={"Authorization": f"Bearer {access_token}"})
    assert status == 200, data
    return json.loads(data)[SECTION]


if __name__ == "__main__":
    main()
