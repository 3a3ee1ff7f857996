"""`python -m bench [name ...]`: run benchmarks (all when none is named), in this order."""

from __future__ import annotations

import importlib
import sys

ORDER = ["routing", "relay_load", "relay_cluster", "relay_idle", "history_search", "desktop_burst", "desk_start",
         "call_setup", "metrics", "fuzz", "chaos", "soak"]


def main(argv: list[str]) -> int:
    names = argv or ORDER
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"bench.{name}":
                print(f"no benchmark named {name!r}; known: {', '.join(ORDER)}", file=sys.stderr)
                return 2
            raise
        print(f"== {name}", flush=True)
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
