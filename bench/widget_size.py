"""Print the help widget's transfer sizes (raw and gzipped) against its budget.

    python bench/widget_size.py [--check]

The host page pays for loader.js + launcher.css on every view; widget.js + widget.css load on
first use. Budget: everything ≤ 20 KB gzipped, the loader alone < 2 KB gzipped. ``--check``
exits 1 when a budget is exceeded.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

WIDGET_DIR = Path(__file__).resolve().parent.parent / "api" / "static" / "widget"
EAGER = ("loader.js", "launcher.css")
LAZY = ("widget.js", "widget.css")
TOTAL_BUDGET = 20 * 1024
LOADER_BUDGET = 2 * 1024


def sizes() -> dict[str, tuple[int, int]]:
    """File name → (raw bytes, gzip -9 bytes) for every file the widget ships."""
    result = {}
    for name in (*EAGER, *LAZY):
        data = (WIDGET_DIR / name).read_bytes()
        result[name] = (len(data), len(gzip.compress(data, 9, mtime=0)))
    return result


def main(argv: list[str]) -> int:
    table = sizes()
    print(f"{'file':<16}{'raw':>10}{'gzip':>10}")
    for name, (raw, gz) in table.items():
        print(f"{name:<16}{raw:>10,}{gz:>10,}")
    eager = sum(table[n][1] for n in EAGER)
    loader = table["loader.js"][1]
    total = sum(gz for _, gz in table.values())
    print(f"{'before use':<16}{sum(table[n][0] for n in EAGER):>10,}{eager:>10,}   (loader.js + launcher.css)")
    print(f"{'total':<16}{sum(r for r, _ in table.values()):>10,}{total:>10,}   budget {TOTAL_BUDGET:,}")
    ok = total <= TOTAL_BUDGET and loader < LOADER_BUDGET
    print("within budget" if ok else "OVER BUDGET")
    return 0 if ok or "--check" not in argv else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
