"""Which index each query of the app uses, checked with `explain`: the table of docs/scaling.md.

    .venv/bin/python scripts/explain_queries.py

Drives the app through its main paths with the Flask test client, without Redis (so visits are
counted in the request, as a worker would): sign-up and sign-in, a portfolio filled, published
and autosaved, its history and a restore, a proof uploaded and trashed, a recruiter link
opened, visits, the statistics, notifications, the PDF, and the scheduled jobs as commands. It
records every query the app sends to MongoDB (pymongo's command monitoring, the app's client and
the rate limiter's), then asks the server to explain each distinct one (`queryPlanner`:
nothing runs again) and prints, per collection, the filter's shape and the plan: the index it
uses, `_id` (IDHACK), or COLLSCAN, which is what sharding and growth must not meet.

MongoDB: MONGODB_URI, else a throw-away local mongod (scripts/local_mongod.py); a database of
its own, dropped at the end. Indexes come from `flask create-indexes` first.
"""
import io
import re
import sys
import uuid
from collections import OrderedDict
from pathlib import Path

import pymongo.monitoring

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402

DATABASE = "vitrine_explain"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0"
PASSWORD = "explain horse battery staple"
# Commands that carry a query, and where it is in them.
QUERY_COMMANDS = {"find": "filter", "aggregate": "pipeline", "count": "query",
                  "distinct": "query", "findAndModify": "query", "update": "updates",
                  "delete": "deletes"}
# What explain refuses or does not need (an aggregate keeps its `cursor`: it is required).
TRANSPORT_FIELDS = {"$db", "lsid", "$clusterTime", "txnNumber", "writeConcern", "readConcern",
                    "$readPreference", "maxTimeMS", "batchSize", "singleBatch", "ordered",
                    "apiVersion"}
# Dynamic field names (a visitor key's channels hold ids) are one shape.
OBJECT_ID = re.compile(r"[0-9a-f]{24}")


class Queries(pymongo.monitoring.CommandListener):
    """Every query command sent, by (collection, command, shape): the first one seen of each."""

    def __init__(self):
        self.seen = OrderedDict()

    def started(self, event):
        if event.command_name not in QUERY_COMMANDS or event.database_name != DATABASE:
            return
        command = event.command
        statements = {"update": "updates", "delete": "deletes"}.get(event.command_name)
        for single in (command[statements] if statements else [None]):
            explainable = {name: value for name, value in command.items()
                           if name not in TRANSPORT_FIELDS}
            if statements:
                explainable[statements] = [single]
            key = (command[event.command_name], event.command_name,
                   shape(single["q"] if statements else command.get(
                       QUERY_COMMANDS[event.command_name])),
                   shape(command.get("sort")) + (f" limit {command['limit']}"
                                                 if command.get("limit") else ""))
            self.seen.setdefault(key, explainable)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def shape(value):
    """The query's form without its values: field names and operators kept."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{OBJECT_ID.sub('<id>', name)}: {shape(item)}"
                               for name, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(shape(item) for item in value[:1]) + ("…]" if value else "]")
    return "·"


def plan_of(explained):
    """`(index names or stage, COLLSCAN?)` of the winning plan(s) in an explain answer."""
    stages, indexes = set(), set()

    def walk(node):
        if isinstance(node, dict):
            if "winningPlan" in node:
                visit(node["winningPlan"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    def visit(stage):
        if not isinstance(stage, dict):
            return
        stages.add(stage.get("stage", ""))
        if stage.get("indexName"):
            indexes.add(stage["indexName"])
        for child in ("inputStage", "queryPlan"):
            visit(stage.get(child))
        for child in stage.get("inputStages", []):
            visit(child)

    walk(explained)
    if indexes:
        return ", ".join(sorted(indexes))
    if "IDHACK" in stages or "EXPRESS_IXSCAN" in stages:
        return "_id"
    return "COLLSCAN" if "COLLSCAN" in stages else "/".join(sorted(stages - {""})) or "?"


def walk_through(app):
    """The app's main paths; returns nothing, the listener keeps what was queried."""
    from app.demo_content import demo_portfolio_content
    from app.models.audience import utc_today

    runner = app.test_cli_runner()
    assert runner.invoke(args=["create-indexes"]).exit_code == 0
    owner = app.test_client()
    email = f"explain-{uuid.uuid4().hex[:8]}@example.com"
    account = owner.post("/api/v1/auth/register", json={
        "email": email, "password": PASSWORD, "full_name": "Camille Martin"}).get_json()
    owner.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {account['access_token']}"
    assert owner.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).status_code == 200
    owner.get("/api/v1/auth/me")
    created = owner.post("/api/v1/portfolios/", json={"title": "Camille Martin"}).get_json()
    base = f"/api/v1/portfolios/{created['id']}"
    owner.get("/api/v1/portfolios/slug-availability?slug=camille")
    full = owner.patch(base, json=demo_portfolio_content(),
                       headers={"If-Match": f'"{created["version"]}"'}).get_json()
    published = owner.patch(base, json={"is_private": False},
                            headers={"If-Match": f'"{full["version"]}"'}).get_json()
    owner.patch(base, json={"title": "Camille Martin, analyst"})  # renamed: a previous slug
    owner.patch(base, json={"slug": "camille-martin-analyst"})
    owner.get("/api/v1/portfolios/")
    owner.get(base)
    owner.get(f"{base}/versions")
    owner.get(f"{base}/versions/{published['version']}")
    owner.post(f"{base}/versions/{published['version']}/restore")
    project = full["projects"][0]["id"]
    image = io.BytesIO()
    from PIL import Image
    Image.new("RGB", (64, 48), "teal").save(image, "PNG")
    proof = owner.post(f"{base}/proofs/", data={
        "file": (io.BytesIO(image.getvalue()), "screen.png"), "item_type": "projects",
        "item_id": project, "title": "Screen", "visibility": "public"},
        content_type="multipart/form-data").get_json()
    owner.get(f"{base}/proofs/")
    owner.get(f"{base}/proofs/{proof['id']}/file")
    link = owner.post(f"{base}/recruiter-links/", json={"label": "Acme"}).get_json()
    owner.get(f"{base}/recruiter-links/")
    slug = owner.get(base).get_json()["slug"]

    for number in range(3):
        visitor = app.test_client()
        headers = {"User-Agent": BROWSER, "X-Forwarded-For": f"81.2.69.{number + 1}"}
        visitor.get(f"/p/{slug}", headers=headers)
        visitor.get(f"/p/{published['slug']}", headers=headers)  # the previous address
        visitor.get(f"/r/{link['token']}", headers=headers)
        visitor.get(f"/api/v1/public/{slug}", headers=headers)
    app.test_client().get(f"/p/{slug}.pdf", headers={"User-Agent": BROWSER})
    app.test_client().get(f"/p/{slug}/proofs/{proof['id']}", headers={"User-Agent": BROWSER})
    owner.get(f"{base}/stats?days=30")
    owner.delete(f"{base}/proofs/{proof['id']}")
    owner.get(f"{base}/proofs/trash")

    for command in (["daily-digests", "--day", utc_today().isoformat()], ["link-expiry-notices"],
                    ["proofs-cleanup"], ["proofs-trash-purge"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    notifications = owner.get("/api/v1/notifications/").get_json()
    for notification in notifications.get("items", [])[:1]:
        owner.post(f"/api/v1/notifications/{notification['id']}/read")
    bad = app.test_client()
    for _ in range(2):  # the rate limiter's own queries (MongoDB storage, no Redis)
        bad.post("/api/v1/auth/login", json={"email": email, "password": "not it at all"})


def main():
    queries = Queries()
    pymongo.monitoring.register(queries)
    with local_mongod.throwaway_database(DATABASE) as (_, uri):
        from app import create_app
        from config import Config
        app = create_app(type("ExplainConfig", (Config,), {
            "MONGODB_URI": uri, "REDIS_URL": "", "TRUSTED_PROXIES": 1,
            # Recruiter links need a verified address when verification is on.
            "EMAIL_VERIFICATION_ENABLED": False}))
        walk_through(app)
        database = pymongo.MongoClient(uri).get_default_database()
        rows = []
        for (collection, command, query, sort), explainable in queries.seen.items():
            try:
                plan = plan_of(database.command({"explain": explainable,
                                                 "verbosity": "queryPlanner"}))
            except pymongo.errors.OperationFailure as exc:
                plan = f"(not explained: {exc.details.get('codeName')})"
            rows.append((collection, command, query, sort.removeprefix("·").strip(), plan))
    print("| collection | command | filter | sort | plan |")
    print("|---|---|---|---|---|")
    for row in sorted(set(rows)):
        print("| " + " | ".join(f"`{cell}`" if cell else "" for cell in row) + " |")
    scans = [row for row in rows if row[-1] == "COLLSCAN"]
    print(f"\n{len(set(rows))} distinct queries, {len(set(scans))} without an index (COLLSCAN)")


if __name__ == "__main__":
    main()
