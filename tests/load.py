"""Load and fault figures for copkit-local (issue: robust under load).

Starts copkit-local (SQLite, fresh data folder, free port, demo data) and
measures, printing one line per scenario (requests, concurrency, answers by
status, 5xx count) and the server's peak memory (VmHWM) after each:

1. oversized: 16 parallel keyed JSON POSTs of 50 MB each (the JSON limit
   applies before anything is buffered: 413 at once, memory flat);
2. retries: 64 parallel retries of one keyed POST /communities (one
   community, the rest replays or "in progress");
3. communities: 300 POST /communities by one person (the limit: 20 an hour);
4. reports: 200 reports of one post by one person (one open report, and the
   report limit).

    python tests/load.py [path/to/copkit-local]

Uses only the standard library. Not part of the CI command.
"""

import concurrent.futures
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Api:
    def __init__(self, port, token):
        self.port, self.token = port, token

    def call(self, method, path, body=None, headers=None, token=None, chunks=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        h = {"Authorization": f"Bearer {token or self.token}"}
        h.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        try:
            if chunks is not None:
                h["Content-Type"] = "application/json"
                h["Content-Length"] = str(chunks[0] * chunks[1])
                conn.putrequest(method, path)
                for k, v in h.items():
                    conn.putheader(k, v)
                conn.endheaders()
                piece = b" " * chunks[0]
                try:
                    for _ in range(chunks[1]):
                        conn.send(piece)
                except (BrokenPipeError, ConnectionResetError):
                    pass
            else:
                conn.request(method, path, body=data, headers=h)
            response = conn.getresponse()
            text = response.read()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, None
        except (ConnectionResetError, BrokenPipeError):
            return "reset", None
        finally:
            conn.close()


def scenario(name, api, pid, jobs, concurrency):
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        statuses = Counter(status for status, _ in pool.map(lambda job: job(), jobs))
    elapsed = time.monotonic() - started
    server_errors = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
    print(
        f"{name:12} requests={len(jobs):4} concurrency={concurrency:3} "
        f"answers={dict(sorted(statuses.items(), key=str))} 5xx={server_errors} "
        f"seconds={elapsed:.1f} peak_rss={peak_rss_mib(pid):.1f} MiB"
    )
    return statuses


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/copkit-local"
    port = free_port()
    data = tempfile.mkdtemp()
    log = open(os.path.join(data, "server.log"), "w+")
    server = subprocess.Popen(
        [binary, "--demo", "--addr", f"127.0.0.1:{port}", "--data-dir", data],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        tokens = []
        for _ in range(200):
            log.seek(0)
            tokens = re.findall(r"TOKEN=(\S+)", log.read())
            if len(tokens) >= 2:
                break
            time.sleep(0.2)
        if len(tokens) < 2:
            raise SystemExit("copkit-local did not start")
        time.sleep(0.5)
        api = Api(port, tokens[0])
        print(f"copkit-local pid {server.pid}, at start peak_rss={peak_rss_mib(server.pid):.1f} MiB")

        oversized = [
            (lambda: api.call("POST", "/communities", headers={"Idempotency-Key": uuid.uuid4().hex},
                              chunks=(1024 * 1024, 50)))
            for _ in range(16)
        ]
        scenario("oversized", api, server.pid, oversized, 16)

        body = {"slug": "load-retried", "name": "Retried group", "purpose": "", "kind": "learning_set",
                "access": {"visibility": "private", "join_policy": "invite_only"}}
        retries = [
            (lambda: api.call("POST", "/communities", body, {"Idempotency-Key": "load-retry-key-1"}))
            for _ in range(64)
        ]
        scenario("retries", api, server.pid, retries, 64)
        mine = api.call("GET", "/me/communities?limit=100")[1]["items"]
        created = sum(1 for c in mine if c["card"]["slug"] == "load-retried")
        print(f"{'':12} communities created by the 64 retries: {created}")

        def community(i):
            return lambda: api.call("POST", "/communities", {
                "slug": f"load-{i}", "name": f"Load group {i}", "purpose": "", "kind": "learning_set",
                "access": {"visibility": "public", "join_policy": "open"}})
        scenario("communities", api, server.pid, [community(i) for i in range(300)], 16)

        # A post to report: a thread in the first space of helen's that takes one.
        thread = None
        for c in mine:
            spaces = api.call("GET", f"/communities/{c['card']['id']}/spaces")[1]
            if isinstance(spaces, dict):
                spaces = spaces.get("items", [])
            for space in spaces or []:
                status, answer = api.call("POST", f"/spaces/{space['id']}/threads", {
                    "kind": "discussion", "title": "Load test thread", "body": "", "tags": []})
                if status == 201:
                    thread, community_id = answer, c["card"]["id"]
                    break
            if thread:
                break
        if thread is None:
            raise SystemExit("no space takes a thread")
        post = api.call("POST", f"/threads/{thread['id']}/posts", {"body": "Report me", "parent": None})[1]
        report = {"target": {"type": "post", "post": post["id"]}, "reason": "spam", "note": ""}
        reports = [
            (lambda: api.call("POST", f"/communities/{community_id}/reports", report))
            for _ in range(200)
        ]
        scenario("reports", api, server.pid, reports, 16)
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
