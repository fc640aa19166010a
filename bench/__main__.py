"""Run every benchmark module (bench/*_bench.py, each with a `main()`), or those named.

python -m bench                 # all
python -m bench locations       # bench/locations_bench.py only
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(names: list[str]) -> None:
    available = sorted(
        p.stem.removesuffix("_bench") for p in Path(__file__).parent.glob("*_bench.py")
    )
    chosen = names or available
    unknown = set(chosen) - set(available)
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {sorted(unknown)}; available: {available}")
    for name in chosen:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"bench.{name}_bench").main()


if __name__ == "__main__":
    main(sys.argv[1:])
