"""The app on a three-member replica set (what Atlas runs): autosaves from several clients while
the primary is killed. No 500 (a 503 while the members elect a new primary), writes accepted
again after the election, and no acknowledged write lost.

Loss needs a write the primary acknowledged before a majority held it: the secondaries stop
fetching the primary's writes (a MongoDB fail point) for a moment before the primary is killed.
With w=1 the autosaves of that moment are acknowledged, then lost with the primary (this test
fails); with the app's majority write concern they wait, and fail with a 503 when the primary
dies, so nothing acknowledged is lost.
"""
import socket
import tempfile
import threading
import time
from collections import Counter
from types import SimpleNamespace

import dns.name
import dns.resolver
import pymongo
import pytest

from app import create_app
from app.extensions import RATE_LIMIT_COLLECTIONS
from app.models.portfolio import PortfolioVersion
from scripts import local_mongod, local_replica_set

from .conftest import PASSWORD, bearer

WRITERS = 4
ACKNOWLEDGED_BEFORE_THE_FAILURE = 3
ACKNOWLEDGED_AFTER_THE_ELECTION = 3
REPLICATION_STOPPED_SECONDS = 1.0
DEADLINE_SECONDS = 40

pytestmark = pytest.mark.real_mongo


@pytest.fixture(scope="module")
def replica_set():
    if not local_mongod.find_mongod():
        pytest.skip("needs a mongod binary to start a replica set")
    with tempfile.TemporaryDirectory(prefix="vitrine-rs-") as dbroot:
        with local_replica_set.running(dbroot, test_commands=True) as members:
            yield members
            for member in members.members:  # thrown away: no graceful step-down
                member.process.kill()


@pytest.fixture
def replica_set_app(replica_set, test_config):
    config = type("ReplicaSetConfig", (test_config,), {
        "MONGODB_URI": replica_set.uri("vitrine_failover"),
        # Every autosave keeps its version in the history: each acknowledged one can be found.
        "VERSION_SNAPSHOT_INTERVAL_SECONDS": 0,
        "MAX_VERSIONS_PER_PORTFOLIO": 100_000,
    })
    yield create_app(config)
    # Later tests' apps connect MongoEngine to the test server again (create_app).


class Autosaver(threading.Thread):
    """One editor saving its portfolio's description again and again with If-Match, as the
    editor's autosave does; remembers every version a 200 acknowledged."""

    def __init__(self, app, number, stop):
        super().__init__(daemon=True)
        self.client, self.number, self.stop = app.test_client(), number, stop
        account = self.client.post("/api/v1/auth/register", json={
            "email": f"writer-{number}-{time.time_ns()}@example.com", "password": PASSWORD,
            "full_name": f"Writer {number}"}).get_json()
        self.client.environ_base["HTTP_AUTHORIZATION"] = bearer(account["access_token"])[
            "Authorization"]
        portfolio = self.client.post("/api/v1/portfolios/", json={"title": f"W{number}"})
        self.portfolio_id = portfolio.get_json()["id"]
        self.version = portfolio.get_json()["version"]
        self.acknowledged = []  # (version, description, monotonic time)
        self.statuses = Counter()

    def run(self):
        edit = 0
        while not self.stop.is_set():
            edit += 1
            description = f"writer {self.number}, edit {edit}"
            response = self.client.patch(f"/api/v1/portfolios/{self.portfolio_id}",
                                         json={"description": description},
                                         headers={"If-Match": f'"{self.version}"'})
            self.statuses[response.status_code] += 1
            if response.status_code == 200:
                self.version = response.get_json()["version"]
                self.acknowledged.append((self.version, description, time.monotonic()))
            elif response.status_code == 409:
                # A save that failed with a 503 had landed after all: go on from there.
                self.version = response.get_json()["current_version"]
            elif response.status_code == 503:
                time.sleep(0.05)

    def acknowledged_since(self, moment):
        return sum(at > moment for _, _, at in self.acknowledged)


def wait_until(condition, what):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_autosaves_survive_the_primary_being_killed(replica_set, replica_set_app):
    started = time.monotonic()
    stop = threading.Event()
    writers = [Autosaver(replica_set_app, number, stop) for number in range(WRITERS)]
    for writer in writers:
        writer.start()
    try:
        wait_until(lambda: all(len(writer.acknowledged) >= ACKNOWLEDGED_BEFORE_THE_FAILURE
                               for writer in writers), "autosaves before the failure")
        primary, secondaries = replica_set.primary(), replica_set.secondaries()
        for secondary in secondaries:
            replica_set.replicate(secondary, on=False)
        time.sleep(REPLICATION_STOPPED_SECONDS)  # only the primary holds what is written now
        primary.process.kill()
        killed_at = time.monotonic()
        for secondary in secondaries:
            replica_set.replicate(secondary, on=True)
        wait_until(lambda: all(writer.acknowledged_since(killed_at)
                               >= ACKNOWLEDGED_AFTER_THE_ELECTION for writer in writers),
                   "autosaves after the election")
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    statuses = sum((writer.statuses for writer in writers), Counter())
    assert set(statuses) <= {200, 409, 503}, statuses
    new_primary = replica_set.primary()
    assert new_primary is not primary
    with replica_set_app.app_context():
        for writer in writers:
            kept = {entry.version: entry.content.get("description") for entry in
                    PortfolioVersion.objects(portfolio=writer.portfolio_id).only(
                        "version", "content")}
            lost = [(version, description) for version, description, _ in writer.acknowledged
                    if kept.get(version) != description]
            assert not lost, f"acknowledged, then lost with the primary: {lost}"
    print(f"\nfailover: {dict(statuses)} in {time.monotonic() - started:.1f} s")


# --- mongodb+srv:// (Atlas's address form) -----------------------------------------------------

SRV_NAME = "cluster0.vitrine.test"


class Answer(list):
    """What dnspython's resolve() returns, as far as pymongo reads it."""
    rrset = SimpleNamespace(ttl=60)


def fake_dns(replica_set, monkeypatch):
    """The SRV and TXT records Atlas publishes for a cluster, pointing at the local members
    (memberN.vitrine.test, which resolve to 127.0.0.1): DNS as pymongo sees it through
    dnspython, nothing else faked."""
    def resolve(name, record_type, **_options):
        if (str(name), record_type) == (f"_mongodb._tcp.{SRV_NAME}", "SRV"):
            return Answer(SimpleNamespace(target=dns.name.from_text(f"member{index}.vitrine.test."),
                                          port=member.port)
                          for index, member in enumerate(replica_set.members))
        if (str(name), record_type) == (SRV_NAME, "TXT"):
            return Answer([SimpleNamespace(strings=[
                f"replicaSet={replica_set.name}&authSource=admin".encode()])])
        raise dns.resolver.NXDOMAIN()

    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *arguments, **options):
        if isinstance(host, str) and host.endswith(".vitrine.test"):
            host = "127.0.0.1"
        return real_getaddrinfo(host, *arguments, **options)

    monkeypatch.setattr(dns.resolver, "resolve", resolve)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_mongodb_srv_uri_finds_the_replica_set(replica_set, test_config, monkeypatch):
    """The members come from DNS (dnspython), the app and its rate limits (no Redis) both use
    the URI. TLS, which Atlas requires and mongodb+srv turns on by default, is off here: the
    local members have no certificate."""
    fake_dns(replica_set, monkeypatch)
    config = type("SrvConfig", (test_config,), {
        "MONGODB_URI": f"mongodb+srv://{SRV_NAME}/vitrine_srv?tls=false",
        "REDIS_URL": "", "RATELIMIT_ENABLED": True})
    app = create_app(config)
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("mongodb+srv://")
    client = app.test_client()
    assert client.get("/healthz").get_json()["mongo"] == "ok"
    credentials = {"email": f"srv-{time.time_ns()}@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/register",
                       json={**credentials, "full_name": "Srv"}).status_code == 201
    assert client.post("/api/v1/auth/login", json=credentials).status_code == 200
    with pymongo.MongoClient(replica_set.uri()) as direct:
        counters = direct["vitrine_srv"][RATE_LIMIT_COLLECTIONS["counter_collection_name"]]
        assert counters.count_documents({}) >= 1  # the limiter reached MongoDB through SRV too
