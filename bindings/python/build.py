#!/usr/bin/env python3
"""Builds the copkit Python wheel: compiles the Rust library, generates the
uniffi bindings from it with the pinned generator, stages them with the
library in a package, and builds a platform wheel.

    python3 bindings/python/build.py [--release] [--bench] [--prebuilt] [--out DIR]

prints the wheel's path; install it with `pip install <wheel>`.
"""

import argparse
import glob
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def library_name() -> str:
    if sys.platform == "darwin":
        return "libcopkit_ffi.dylib"
    if sys.platform.startswith("win"):
        return "copkit_ffi.dll"
    return "libcopkit_ffi.so"


def run(*args: str) -> None:
    subprocess.run(args, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="optimised library")
    parser.add_argument("--bench", action="store_true",
                        help="with the benchmark aid Session.measure_native_reads (bench.py)")
    parser.add_argument("--prebuilt", action="store_true",
                        help="use the library and uniffi-bindgen already in target/ "
                             "(tests/run-all.sh's workspace build) instead of building them")
    parser.add_argument("--out", default=str(ROOT / "target" / "wheels"), help="wheel folder")
    args = parser.parse_args()

    profile = ["--release"] if args.release else []
    # The shipped library has every store: SQLite (always) and DynamoDB.
    features = ["--features", "dynamodb,bench" if args.bench else "dynamodb"]
    built = ROOT / "target" / ("release" if args.release else "debug")
    if args.prebuilt:
        # `cargo test` leaves the shared library in deps/ (only `cargo
        # build` copies it up a level).
        generator = [str(built / "uniffi-bindgen")]
        library = built / "deps" / library_name()
    else:
        run("cargo", "build", "--quiet", "-p", "copkit-ffi", "--lib", *profile, *features)
        generator = ["cargo", "run", "--quiet", "-p", "copkit-ffi", "--bin", "uniffi-bindgen", "--"]
        library = built / library_name()

    stage = ROOT / "target" / "python-package"
    shutil.rmtree(stage, ignore_errors=True)
    package = stage / "copkit"
    package.mkdir(parents=True)
    run(
        *generator,
        "generate", "--library", str(library), "--language", "python",
        "--out-dir", str(package),
    )
    shutil.copy2(library, package / library.name)
    shutil.copy2(HERE / "src" / "copkit" / "__init__.py", package / "__init__.py")
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy2(HERE / name, stage / name)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in glob.glob(str(out / "copkit-*.whl")):
        Path(old).unlink()
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
         "--disable-pip-version-check", "-w", str(out), str(stage)],
        check=True,
    )
    wheels = glob.glob(str(out / "copkit-*.whl"))
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {out}, found {wheels}")
    print(wheels[0])


if __name__ == "__main__":
    main()
