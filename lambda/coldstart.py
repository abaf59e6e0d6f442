#!/usr/bin/env python3
"""Cold-start benchmark: `bootstrap` against a hello-world baseline.

Builds with cargo-lambda and the release profile the `bootstrap`
binary and `examples/coldstart_baseline.rs` (a hello-world `lambda_http`
function with a DynamoDB client) for this machine (x86_64), then starts each
one many times, alternating, against a fake Lambda Runtime API on loopback:

- init: from spawning the process to its first `GET .../invocation/next`
  (what Lambda reports as Init Duration);
- first invoke: from handing it an API Gateway v2 event (`GET /health`) to
  its `POST .../response`;
- peak RSS: the process's VmHWM once it has answered.

It prints each median and bootstrap's ratio to the baseline, the sizes of
the arm64 zips when lambda/package.sh has built them, and runs
`bootstrap --check-panics` on the built binary (cargo-lambda would build
with panic = "abort" unless the profile says otherwise).

Goals (issue 19): init <= 1.25x, peak RSS <= 1.5x, zip <= 8 MB.

    python3 lambda/coldstart.py [--runs 31] [--skip-build]

A cold release build takes tens of minutes on two cores; this is not part
of tests/run-all.sh.
"""

import argparse
import http.server
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "coldstart"
VENV = ROOT / "target" / "deploy-venv"
ZIP_GOAL = 8 * 1000 * 1000

EVENT = {
    "version": "2.0",
    "routeKey": "GET /health",
    "rawPath": "/health",
    "rawQueryString": "",
    "headers": {"host": "api.example.org", "accept": "application/json"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "api",
        "domainName": "api.example.org",
        "domainPrefix": "api",
        "http": {
            "method": "GET",
            "path": "/health",
            "protocol": "HTTP/1.1",
            "sourceIp": "192.0.2.1",
            "userAgent": "coldstart",
        },
        "requestId": "coldstart-request",
        "routeKey": "GET /health",
        "stage": "$default",
        "time": "02/Mar/2026:09:00:00 +0000",
        "timeEpoch": 1772442000000,
    },
    "isBase64Encoded": False,
}


class Runtime(http.server.ThreadingHTTPServer):
    """A fake Lambda Runtime API handing out one event per process."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.marks = queue.Queue()
        self.served = threading.Event()

    def handle_error(self, request, client_address):
        # A killed process drops its held poll; that is expected.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)

    def reset(self):
        self.marks = queue.Queue()
        self.served = threading.Event()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if not self.path.endswith("/runtime/invocation/next"):
            self.send_error(404)
            return
        server = self.server
        if server.served.is_set():
            # The second poll: the process is done; hold it until killed
            # (the benchmark waits for this poll before killing, so no
            # stale poll can take the next process's event).
            server.marks.put(("parked", time.perf_counter()))
            time.sleep(60)
            return
        server.served.set()
        server.marks.put(("next", time.perf_counter()))
        body = json.dumps(EVENT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Lambda-Runtime-Aws-Request-Id", "coldstart-invocation")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60_000))
        self.send_header(
            "Lambda-Runtime-Invoked-Function-Arn",
            "arn:aws:lambda:us-east-1:123456789012:function:coldstart",
        )
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        kind = "response" if self.path.endswith("/response") else "error"
        self.server.marks.put((kind, time.perf_counter(), body))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def lambda_env(runtime):
    """The environment Lambda gives `bootstrap`, pointed at `runtime`."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{runtime.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": "coldstart",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/coldstart",
        "AWS_LAMBDA_LOG_STREAM_NAME": "coldstart",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_SESSION_TOKEN": "test",
        "COPKIT_TABLE": "copkit",
        "COPKIT_BUCKET": "copkit-documents",
        "COPKIT_CURSOR_KEY": "0" * 64,
        "COPKIT_SEARCH_FUNCTION": "copkit-search",
        "RUST_LOG": "info",
        # As lambda/template.yaml sets it for the API function.
        "MIMALLOC_ARENA_EAGER_COMMIT": "0",
        # Other allocator options to try (mimalloc reads MIMALLOC_* at start-up).
        **{k: v for k, v in os.environ.items() if k.startswith("MIMALLOC_")},
    }


def start_once(binary, runtime):
    runtime.reset()
    env = lambda_env(runtime)
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        return measure(process, started, runtime)
    except (queue.Empty, RuntimeError, AssertionError) as failure:
        process.kill()
        _, err = process.communicate()
        raise RuntimeError(f"{binary}: {failure!r}; its stderr:\n{err.decode()[-3000:]}") from failure
    finally:
        process.kill()
        process.wait()


def measure(process, started, runtime):
    """(init ms, first invoke ms, peak RSS MiB) of a process just started."""
    kind, polled = runtime.marks.get(timeout=30)[:2]
    assert kind == "next", kind
    answer = runtime.marks.get(timeout=30)
    if answer[0] != "response":
        raise RuntimeError(f"answered an error: {answer[2][:500]!r}")
    status = json.loads(answer[2]).get("statusCode")
    if status != 200:
        raise RuntimeError(f"answered {status}: {answer[2][:500]!r}")
    rss = peak_rss_kib(process.pid)
    parked = runtime.marks.get(timeout=30)
    assert parked[0] == "parked", parked
    return (polled - started) * 1000, (answer[1] - polled) * 1000, rss / 1024


def build(out=OUT, targets=(("--bin", "bootstrap"), ("--example", "coldstart_baseline")),
          **env_vars):
    """Builds `targets` for x86_64 with cargo-lambda and the release profile into `out`."""
    subprocess.run(
        [str(ROOT / "tests" / "ensure-venv.sh"), str(VENV),
         str(ROOT / "lambda" / "deploy-requirements.txt")],
        check=True,
    )
    env = dict(os.environ, PATH=f"{VENV / 'bin'}:{os.environ['PATH']}", **env_vars)
    # cargo-lambda takes one kind of target per run.
    for target in targets:
        subprocess.run(
            ["cargo", "lambda", "build", "--release", "--x86-64", "--lambda-dir", str(out),
             "-p", "copkit-lambda", *target],
            check=True, cwd=ROOT, env=env,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        build()
    subjects = {
        "bootstrap": OUT / "bootstrap" / "bootstrap",
        "baseline": OUT / "coldstart_baseline" / "bootstrap",
    }
    for name, path in subjects.items():
        if not path.exists():
            sys.exit(f"{name}: {path} is missing (run without --skip-build)")

    check = subprocess.run(
        [str(subjects["bootstrap"]), "--check-panics"], capture_output=True, text=True
    )
    print(f"bootstrap --check-panics: {check.stdout.strip() or 'died'} (exit {check.returncode})")

    runtime = Runtime()
    threading.Thread(target=runtime.serve_forever, daemon=True).start()
    figures = {name: {"init": [], "invoke": [], "rss": []} for name in subjects}
    # Warm the page cache, then alternate so drift hits both alike.
    for path in subjects.values():
        start_once(path, runtime)
    for run in range(args.runs):
        order = list(subjects.items())
        if run % 2:
            order.reverse()
        for name, path in order:
            init, invoke, rss = start_once(path, runtime)
            figures[name]["init"].append(init)
            figures[name]["invoke"].append(invoke)
            figures[name]["rss"].append(rss)
    runtime.shutdown()

    medians = {
        name: {k: statistics.median(v) for k, v in values.items()}
        for name, values in figures.items()
    }
    print(f"\n{args.runs} alternated cold starts each (x86_64, fake Runtime API on loopback), medians:")
    print(f"{'':14}{'bootstrap':>12}{'baseline':>12}{'ratio':>9}{'goal':>8}")
    for key, label, unit, goal in [
        ("init", "init", "ms", 1.25),
        ("invoke", "first invoke", "ms", None),
        ("rss", "peak RSS", "MiB", 1.5),
    ]:
        b, h = medians["bootstrap"][key], medians["baseline"][key]
        ratio = b / h
        verdict = "" if goal is None else (f"<={goal}" + (" ok" if ratio <= goal else " MISSED"))
        print(f"{label:14}{b:>9.2f} {unit:<3}{h:>8.2f} {unit:<3}{ratio:>7.2f}x {verdict}")

    print("\nDeployable arm64 zips (lambda/package.sh):")
    for function in ["bootstrap", "scheduler", "search-indexer"]:
        zip_path = ROOT / "target" / "lambda" / function / "bootstrap.zip"
        if zip_path.exists():
            size = zip_path.stat().st_size
            verdict = "ok" if size <= ZIP_GOAL else "MISSED"
            print(f"  {function}: {size / 1e6:.2f} MB (goal <= 8 MB: {verdict})")
        else:
            print(f"  {function}: not built (run lambda/package.sh)")


if __name__ == "__main__":
    main()
