"""A local replica set of three `mongod` (the binary scripts/local_mongod.py finds), each on a
free port with its data under one folder: the failover test's (tests/test_replica_set.py), and a
way to try the app against a replica set by hand.

    python scripts/local_replica_set.py --dbroot /tmp/vitrine-rs   # prints the URI; Ctrl-C or
                                                                   # SIGTERM stops it

The election timeout is 2 s instead of MongoDB's 10 s, so that a primary's loss is noticed in a
test's time; Atlas keeps the default.
"""
import argparse
import contextlib
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pymongo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import local_mongod  # noqa: E402

ELECTION_TIMEOUT_MS = 2000


@dataclass
class Member:
    port: int
    process: object

    @property
    def host(self):
        return f"127.0.0.1:{self.port}"


@dataclass
class ReplicaSet:
    name: str
    members: list

    def uri(self, database=""):
        hosts = ",".join(member.host for member in self.members)
        return f"mongodb://{hosts}/{database}?replicaSet={self.name}"

    def primary(self, timeout=30.0):
        """The member that is primary now (waits for an election to end)."""
        deadline = time.monotonic() + timeout
        while True:
            for member in self.alive():
                if _hello(member).get("isWritablePrimary"):
                    return member
            if time.monotonic() > deadline:
                raise RuntimeError(f"no primary in replica set {self.name}")
            time.sleep(0.1)

    def secondaries(self):
        return [member for member in self.alive() if _hello(member).get("secondary")]

    def alive(self):
        return [member for member in self.members if member.process.poll() is None]

    def replicate(self, member, on):
        """Let `member` fetch the primary's writes, or stop it (MongoDB's `stopReplProducer`
        fail point: the set must run with `test_commands=True`). Stopped, it stays a healthy
        secondary that holds nothing new: what the primary acknowledges alone is lost with it."""
        client = pymongo.MongoClient(member.host, directConnection=True)
        try:
            client.admin.command("configureFailPoint", "stopReplProducer",
                                 mode="off" if on else "alwaysOn")
        finally:
            client.close()


def _hello(member):
    client = pymongo.MongoClient(member.host, directConnection=True, serverSelectionTimeoutMS=500)
    try:
        return client.admin.command("hello")
    except pymongo.errors.PyMongoError:
        return {}
    finally:
        client.close()


def _initiate(replica_set):
    config = {"_id": replica_set.name,
              "members": [{"_id": index, "host": member.host}
                          for index, member in enumerate(replica_set.members)],
              "settings": {"electionTimeoutMillis": ELECTION_TIMEOUT_MS}}
    client = pymongo.MongoClient(replica_set.members[0].host, directConnection=True)
    try:
        client.admin.command("replSetInitiate", config)
    finally:
        client.close()
    replica_set.primary()
    deadline = time.monotonic() + 60
    while len(replica_set.secondaries()) < len(replica_set.members) - 1:
        if time.monotonic() > deadline:
            raise RuntimeError("the secondaries did not catch up")
        time.sleep(0.2)


@contextlib.contextmanager
def running(dbroot, members=3, name="vitrine-rs", test_commands=False):
    """A replica set of `members` fresh mongod under `dbroot`, initiated, with a primary and
    every other member a secondary; stopped (SIGTERM, then SIGKILL) afterwards. With
    `test_commands`, MongoDB's test-only commands are on (`ReplicaSet.replicate`)."""
    parameters = ["enableTestCommands=1"] if test_commands else []

    def start(index):
        port = local_mongod.free_port()
        _, process = local_mongod.start(Path(dbroot) / f"member{index}", port=port,
                                        replica_set=name, initiate=False, parameters=parameters)
        return Member(port, process)

    with ThreadPoolExecutor(members) as pool:
        futures = [pool.submit(start, index) for index in range(members)]
    started = [future.result() for future in futures if future.exception() is None]
    replica_set = ReplicaSet(name, started)
    try:
        if len(started) < members:
            raise next(future.exception() for future in futures if future.exception())
        _initiate(replica_set)
        yield replica_set
    finally:
        for member in started:
            member.process.terminate()
        for member in started:
            try:
                member.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                member.process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dbroot", help="folder of the members' data (default: a temporary one)")
    parser.add_argument("--database", default="vitrine")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stops the members on the way out
    with contextlib.ExitStack() as stack:
        dbroot = options.dbroot or stack.enter_context(
            tempfile.TemporaryDirectory(prefix="vitrine-rs-"))
        replica_set = stack.enter_context(running(dbroot))
        print(replica_set.uri(options.database), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    sys.exit(main())
