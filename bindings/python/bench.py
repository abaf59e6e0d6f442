#!/usr/bin/env python3
"""Per-call overhead of the Python bindings: the same read (get_community)
awaited from Python and looped inside Rust, side by side in one process.

    python3 bindings/python/build.py --release --bench   # then pip install the wheel
    python3 bindings/python/bench.py [--calls N] [--rounds R]

Prints nanoseconds per call for each, the ratio, and the cost of a plain
synchronous binding call (Session.user) as the floor of any crossing.
"""

import argparse
import asyncio
import statistics
import time

from copkit import Access, CommunityKind, Copkit, JoinPolicy, NewCommunity


async def measure(calls: int, rounds: int) -> None:
    kit = Copkit()
    session = kit.session("bench-user", "Bench", None)
    group = await session.create_community(
        NewCommunity(slug="bench-group", name="Bench group", purpose="", kind=CommunityKind.PRACTICE_TEAM,
                     access=Access.PUBLIC(join_policy=JoinPolicy.OPEN), join_question=None))
    community = group.card.id
    for _ in range(calls // 10):  # warm up both paths
        await session.get_community(community)
    await session.measure_native_reads(community, calls // 10)

    python_ns, rust_ns, sync_ns = [], [], []
    for _ in range(rounds):  # alternate, so drift hits both alike
        started = time.perf_counter_ns()
        for _ in range(calls):
            await session.get_community(community)
        python_ns.append((time.perf_counter_ns() - started) / calls)
        rust_ns.append(await session.measure_native_reads(community, calls))
        started = time.perf_counter_ns()
        for _ in range(calls):
            session.user()
        sync_ns.append((time.perf_counter_ns() - started) / calls)

    py, rs, sync = statistics.median(python_ns), statistics.median(rust_ns), statistics.median(sync_ns)
    print(f"get_community awaited from Python: {py:10.0f} ns/call (median of {rounds} rounds of {calls})")
    print(f"get_community looped in Rust:      {rs:10.0f} ns/call")
    print(f"ratio Python / Rust:               {py / rs:10.1f}x  (overhead {py - rs:.0f} ns/call)")
    print(f"Session.user() sync call floor:    {sync:10.0f} ns/call")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(measure(args.calls, args.rounds))


if __name__ == "__main__":
    main()
