"""How long one cycle takes on the demo data, and how much memory the process uses.

Run: .venv/bin/python benchmarks/cycle.py [--runs N]
Prints: import time, the first cycle (drafts written), a no-change cycle (median of N),
and the peak resident memory of this process.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from afterword.plugin.config import load_config
    from afterword.plugin.demo.sample import timeline, write_sample
    from afterword.plugin.runtime import open_engine

    imported = time.perf_counter() - t0
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(write_sample(Path(tmp), now))
        with open_engine(config) as engine:
            first = []
            for instant in timeline(now).replay:
                t = time.perf_counter()
                c0 = time.process_time()
                report = engine.cycle(instant)
                first.append((time.perf_counter() - t, time.process_time() - c0,
                              len(report.drafts)))
            idle_wall, idle_cpu = [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                c0 = time.process_time()
                engine.cycle(now)
                idle_wall.append(time.perf_counter() - t)
                idle_cpu.append(time.process_time() - c0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"python {sys.version.split()[0]}")
    print(f"import afterword (config, engine, ICS, Maildir): {imported * 1000:8.1f} ms")
    for i, (wall, cpu, drafts) in enumerate(first, 1):
        print(f"replay cycle {i} ({drafts} drafts saved):          {wall * 1000:8.1f} ms wall"
              f" {cpu * 1000:8.1f} ms CPU")
    print(f"no-change cycle, median of {args.runs}:            "
          f"{statistics.median(idle_wall) * 1000:8.1f} ms wall"
          f" {statistics.median(idle_cpu) * 1000:8.1f} ms CPU")
    print(f"peak resident memory:                        {rss_kb / 1024:8.1f} MB")


if __name__ == "__main__":
    main()
