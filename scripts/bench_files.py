"""Upload and download a 200 MB proof through the API, next to raw GridFS, in one run.

    .venv/bin/python scripts/bench_files.py [--size-mb 200]

Starts gunicorn (one sync worker) on 127.0.0.1 against MongoDB (`MONGODB_URI`, or a throw-away
local mongod via scripts/local_mongod.py), with PROOF_MAX_BYTES and the quota raised for the
bench. The file is an MP4 (ftyp header + random filler) so that it is an accepted type.
Prints, for the worker process: peak memory growth during the upload and the download (VmHWM
after minus VmRSS before, with the peak reset through /proc/<pid>/clear_refs), and throughput
in MB/s; then the same bytes through pymongo's GridFSBucket directly, measured the same way on
this process.
"""
import argparse
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import gridfs
import pymongo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from scripts import local_mongod  # noqa: E402

MB = 1024 * 1024
BLOCK = MB
MP4_HEADER = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def make_file(path, size):
    digest = hashlib.sha256()
    with open(path, "wb") as output:
        output.write(MP4_HEADER)
        digest.update(MP4_HEADER)
        written = len(MP4_HEADER)
        while written < size:
            block = os.urandom(min(BLOCK, size - written))
            output.write(block)
            digest.update(block)
            written += len(block)
    return digest.hexdigest()


def proc_status_kb(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


class PeakMemory:
    """Peak RSS growth of a process over a block: VmHWM after, minus VmRSS before."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        self.before_kb = proc_status_kb(self.pid, "VmRSS")
        return self

    def __exit__(self, *exc):
        self.peak_kb = proc_status_kb(self.pid, "VmHWM")
        self.growth_mb = (self.peak_kb - self.before_kb) / 1024


def request_json(port, method, path, body=None, token=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers=headers)
    response = connection.getresponse()
    data = json.loads(response.read() or b"null")
    connection.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path}: {response.status} {data}")
    return data


def upload(port, token, portfolio_id, path, size):
    """A streamed multipart POST: the body is sent block by block, never built in memory."""
    boundary = uuid.uuid4().hex
    fields = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n" for name, value in
                     (("item_type", "profile"), ("visibility", "public"), ("title", "Demo")))
    head = (fields + f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="demo.mp4"\r\nContent-Type: video/mp4\r\n\r\n').encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.putrequest("POST", f"/api/v1/portfolios/{portfolio_id}/proofs/")
    connection.putheader("Authorization", f"Bearer {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as source:
        while block := source.read(BLOCK):
            connection.send(block)
    connection.send(tail)
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    if response.status != 201:
        raise RuntimeError(f"upload: {response.status} {body}")
    return body


def download(port, token, url):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", url, headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    digest, size = hashlib.sha256(), 0
    while block := response.read(BLOCK):
        digest.update(block)
        size += len(block)
    connection.close()
    return response.status, size, digest.hexdigest()


class HashingSink:
    def __init__(self):
        self.digest, self.size = hashlib.sha256(), 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)


def gunicorn_worker(master, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


def wait_http(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def with_database(uri, name):
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(uri)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def run(base_uri, size_mb):
    size = size_mb * MB
    uri = with_database(base_uri, f"vitrine_bench_files_{uuid.uuid4().hex[:6]}")
    port = local_mongod.free_port()
    env = {**os.environ, "MONGODB_URI": uri, "APP_ENV": "development",
           "PROOF_MAX_BYTES": str(size + MB), "USER_STORAGE_QUOTA_BYTES": str(4 * size),
           "RATELIMIT_REGISTER_PER_IP": "1000/hour"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "600",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    client = pymongo.MongoClient(uri)
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-files-") as workdir:
        try:
            wait_http(port)
            worker = gunicorn_worker(server.pid)
            path = Path(workdir) / "demo.mp4"
            expected = make_file(path, size)
            account = request_json(port, "POST", "/api/v1/auth/register", {
                "email": f"bench-{uuid.uuid4().hex[:6]}@example.com",
                "password": "bench files password 2026", "full_name": "Bench"})
            token = account["access_token"]
            portfolio = request_json(port, "POST", "/api/v1/portfolios/", {"title": "Bench"},
                                     token)
            # Warm the worker (imports, connections) so the measures are about the file.
            request_json(port, "GET", f"/api/v1/portfolios/{portfolio['id']}/proofs/",
                         token=token)

            with PeakMemory(worker) as up_memory:
                started = time.perf_counter()
                proof = upload(port, token, portfolio["id"], path, size)
                up_seconds = time.perf_counter() - started
            assert proof["sha256"] == expected and proof["size"] == size, proof
            url = f"/api/v1/portfolios/{portfolio['id']}/proofs/{proof['id']}/file"
            with PeakMemory(worker) as down_memory:
                started = time.perf_counter()
                status, got_size, got_hash = download(port, token, url)
                down_seconds = time.perf_counter() - started
            assert (status, got_size, got_hash) == (200, size, expected)

            raw = gridfs.GridFSBucket(client.get_default_database(), bucket_name="bench_raw")
            with open(path, "rb") as source, PeakMemory(os.getpid()) as raw_up_memory:
                started = time.perf_counter()
                file_id = raw.upload_from_stream("demo.mp4", source)
                raw_up_seconds = time.perf_counter() - started
            sink = HashingSink()
            with PeakMemory(os.getpid()) as raw_down_memory:
                started = time.perf_counter()
                raw.download_to_stream(file_id, sink)
                raw_down_seconds = time.perf_counter() - started
            assert sink.digest.hexdigest() == expected
        finally:
            server.terminate()
            server.wait(timeout=30)
            client.drop_database(client.get_default_database().name)
            client.close()

    print(f"file: {size_mb} MB (MP4 header + random bytes), gunicorn 1 sync worker, "
          f"MongoDB {base_uri.split('@')[-1].split('/')[2] if '//' in base_uri else base_uri}")
    print(f"{'':28}{'MB/s':>8}{'peak memory growth':>22}")
    print(f"{'API upload (POST multipart)':28}{size_mb / up_seconds:8.1f}"
          f"{up_memory.growth_mb:19.1f} MB")
    print(f"{'API download (GET /file)':28}{size_mb / down_seconds:8.1f}"
          f"{down_memory.growth_mb:19.1f} MB")
    print(f"{'raw GridFS upload (pymongo)':28}{size_mb / raw_up_seconds:8.1f}"
          f"{raw_up_memory.growth_mb:19.1f} MB")
    print(f"{'raw GridFS download':28}{size_mb / raw_down_seconds:8.1f}"
          f"{raw_down_memory.growth_mb:19.1f} MB")
    print("(API rows: the gunicorn worker; raw rows: this process. pymongo's GridIn batches up "
          "to 48 MB of chunks per insert_many, whatever the file size.)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    args = parser.parse_args()
    if os.environ.get("MONGODB_URI"):
        run(os.environ["MONGODB_URI"], args.size_mb)
        return
    with tempfile.TemporaryDirectory(prefix="vitrine-bench-mongod-") as dbpath:
        uri, process = local_mongod.start(dbpath)
        try:
            run(uri, args.size_mb)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
