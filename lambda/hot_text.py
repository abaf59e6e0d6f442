#!/usr/bin/env python3
"""Writes lambda/hot-text/bootstrap.ld: `bootstrap`'s start-up code, placed together.

A cold `bootstrap` runs a few thousand of its functions before it answers its
first request, scattered over 12 MB of code; the kernel maps the 64 KB around
every page it faults in, so half the executable ended up resident. The linker
script this writes puts the code that runs at start-up into one output
section (`.text.hot`) ahead of `.text`, so those pages fault in together.
`lambda/build.rs` passes it to the linker for release builds of `bootstrap`.

How the list is made:

1. cargo-lambda builds `bootstrap` for this machine (x86_64) with the release
   profile but its symbols kept (`CARGO_PROFILE_RELEASE_STRIP=none`), into
   target/hot-text;
2. it runs under Valgrind's callgrind against the fake Lambda Runtime API of
   coldstart.py: init, then one `GET /health` (the event the cold-start
   benchmark sends), and stops when it polls for the next event;
3. every function of the executable that ran becomes an input-section pattern
   (`.text.<symbol>`, or `.text.unlikely.<symbol>` for code LLVM takes for
   cold) with what differs between builds and targets turned into
   globs: the legacy mangling's hash (`17h<16 hex>E`), v0 crate disambiguators
   and back references, LLVM's numeric suffixes. A glob also takes the other
   instances of a generic function with the same path: a little cold code
   among the hot, never the other way round.

The patterns come from an x86_64 build and match the arm64 one by name.
Re-run this after changes to start-up (a function missing from the list only
costs a page fault; lld ignores patterns that match nothing):

    python3 lambda/hot_text.py [--skip-build]

Needs `valgrind` (apt-get install valgrind). A release build takes minutes to
tens of minutes on two cores; this is not part of tests/run-all.sh.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading

import coldstart

ROOT = coldstart.ROOT
OUT = ROOT / "target" / "hot-text"
SCRIPT = ROOT / "lambda" / "hot-text" / "bootstrap.ld"
TRACE = OUT / "callgrind.out"
VALGRIND_LOG = OUT / "valgrind.log"

LEGACY_HASH = re.compile(r"17h[0-9a-f]{16}E")
V0_CRATE = re.compile(r"Cs[0-9A-Za-z]+_")
V0_BACKREF = re.compile(r"B[0-9A-Za-z]*_")
NUMBERED = re.compile(r"(\.llvm)?(\.[0-9]+)+$")


def build():
    subprocess.run(
        [str(ROOT / "tests" / "ensure-venv.sh"), str(coldstart.VENV),
         str(ROOT / "lambda" / "deploy-requirements.txt")],
        check=True,
    )
    env = dict(
        os.environ,
        PATH=f"{coldstart.VENV / 'bin'}:{os.environ['PATH']}",
        CARGO_PROFILE_RELEASE_STRIP="none",
    )
    subprocess.run(
        ["cargo", "lambda", "build", "--release", "--x86-64", "--lambda-dir", str(OUT),
         "-p", "copkit-lambda", "--bin", "bootstrap"],
        check=True, cwd=ROOT, env=env,
    )


def trace(binary):
    """Runs `binary` under callgrind through init and one `GET /health`."""
    TRACE.unlink(missing_ok=True)
    runtime = coldstart.Runtime()
    threading.Thread(target=runtime.serve_forever, daemon=True).start()
    with open(VALGRIND_LOG, "w") as log:
        process = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
             "--compress-pos=no", f"--callgrind-out-file={TRACE}", str(binary)],
            env=coldstart.lambda_env(runtime), stdout=subprocess.DEVNULL, stderr=log,
        )
    try:
        kind = runtime.marks.get(timeout=300)[0]
        if kind != "next":
            raise RuntimeError(f"expected the first poll, got {kind}")
        answer = runtime.marks.get(timeout=300)
        if answer[0] != "response" or json.loads(answer[2]).get("statusCode") != 200:
            raise RuntimeError(f"GET /health was not answered 200: {answer!r}")
        if runtime.marks.get(timeout=300)[0] != "parked":
            raise RuntimeError("no second poll")
        # SIGTERM, not SIGKILL: callgrind writes its profile as the process dies.
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=300)
    except Exception:
        process.kill()
        process.wait()
        sys.stderr.write(f"see {VALGRIND_LOG}\n")
        raise
    finally:
        runtime.shutdown()
    if not TRACE.exists():
        sys.exit(f"callgrind wrote no profile: see {VALGRIND_LOG}")
    with open(TRACE) as profile:
        return {line[3:].strip() for line in profile if line.startswith("fn=")}


def code_symbols(binary):
    """The names of the functions defined in `binary`."""
    listing = subprocess.run(
        ["nm", "--defined-only", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    return {
        fields[2] for fields in (line.split() for line in listing.splitlines())
        if len(fields) == 3 and fields[1] in "tTwW"
    }


def pattern(symbol):
    """A glob for `symbol` that holds across builds and targets."""
    if symbol.startswith("_ZN"):
        symbol = LEGACY_HASH.sub("17h*E", symbol)
    elif symbol.startswith("_R"):
        symbol = V0_BACKREF.sub("B*_", V0_CRATE.sub("Cs*_", symbol))
    numbered = NUMBERED.search(symbol)
    if numbered:
        symbol = symbol[: numbered.start()] + "*"
    return symbol


def write_script(patterns):
    lines = [
        "/* Generated by lambda/hot_text.py: the functions `bootstrap` runs from",
        "   start to its first answer, placed together ahead of .text so that a",
        "   cold start faults in fewer pages of code. Re-run it after changes to",
        "   start-up; passed to the linker by lambda/build.rs (release only). */",
        "SECTIONS",
        "{",
        "  .text.hot : {",
        # LLVM puts functions it takes for cold (`#[cold]`, or reached only
        # on error paths) in `.text.unlikely.<symbol>`.
        *(f"    *(.text.{p} .text.unlikely.{p})" for p in sorted(patterns)),
        "  }",
        "}",
        "INSERT BEFORE .text;",
    ]
    SCRIPT.write_text("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is missing: apt-get install valgrind")
    if not args.skip_build:
        build()
    binary = OUT / "bootstrap" / "bootstrap"
    if not binary.exists():
        sys.exit(f"{binary} is missing (run without --skip-build)")
    ran = trace(binary) & code_symbols(binary)
    if not ran:
        sys.exit("no function of the executable ran: is it stripped?")
    patterns = {pattern(symbol) for symbol in ran}
    write_script(patterns)
    print(f"{SCRIPT.relative_to(ROOT)}: {len(patterns)} patterns for {len(ran)} functions")


if __name__ == "__main__":
    main()
