"""Benchmark: streaming a POHODA stock export with ``iter_stock_chunks`` against bare ``lxml.etree.iterparse``.

    .venv/bin/python bench/pohoda_export.py                 # 10k and 100k cards
    .venv/bin/python bench/pohoda_export.py --sizes 2000 20000 --repeat 3

For each size it writes a synthetic ``listStock`` answer (Windows-1250, two pictures, two categories, an
internet parameter and a price level per card — see ``connectors.pohoda.testing.write_stock_export``) into a
temporary directory, then:

- **throughput**, in one child process per size so both sides see the same machine: the bare loops and
  ``iter_stock_chunks`` run alternately ``--repeat`` times, the best time of each counts; printed as cards/s and
  as the ratio ours / bare (goal ≥ 0.6). Two bare loops are measured, because "raw iterparse" can mean either:
  ``every`` — ``for _, e in iterparse(f): e.clear()``, the textbook streaming loop that visits every element
  (what any converter has to do), and ``cards`` — ``iterparse(f, tag=lStk:stock)`` + clear, which lets libxml2
  skip the 48 inner elements per card and touches only the card itself (a floor no converter can reach);
- **peak memory**: each of ``ours``/``every``/``cards`` alone in its own child process, ``ru_maxrss`` at the end
  (goal for ours: ≤ 200 MB and flat from 10k to 100k).

Nothing here is a test: numbers depend on the machine and its load; the point is the ratios in one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

STOCK_TAG = "{http://www.stormware.cz/schema/version_2/list_stock.xsd}stock"


def bare_every(path: Path) -> int:
    """The textbook loop: an end event for every element, each cleared (no tag filter)."""
    cards = 0
    for _, element in etree.iterparse(str(path), events=("end",)):
        if element.tag == STOCK_TAG:
            cards += 1
            while element.getprevious() is not None:
                del element.getparent()[0]
        element.clear()
    return cards


def bare_cards(path: Path) -> int:
    """The floor: libxml2 reports only card end events; each card is cleared and unlinked."""
    cards = 0
    for _, element in etree.iterparse(str(path), events=("end",), tag=STOCK_TAG):
        cards += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    return cards


def ours(path: Path, chunk_size: int) -> int:
    from connectors.pohoda.xml import iter_stock_chunks

    cards = 0
    for chunk in iter_stock_chunks(path, chunk_size):
        cards += len(chunk)
    return cards


def run(mode: str, path: Path, chunk_size: int) -> int:
    if mode == "ours":
        return ours(path, chunk_size)
    return bare_every(path) if mode == "every" else bare_cards(path)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(args: argparse.Namespace) -> None:
    """One measurement in this process; prints a JSON line."""
    path = Path(args.file)
    if args.child == "throughput":
        import connectors.pohoda.xml  # noqa: F401  (import cost outside the timed loops)

        best = {"every": float("inf"), "cards": float("inf"), "ours": float("inf")}
        counts = {}
        for _ in range(args.repeat):
            for mode in best:
                started = time.perf_counter()
                counts[mode] = run(mode, path, args.chunk_size)
                best[mode] = min(best[mode], time.perf_counter() - started)
        print(json.dumps({"seconds": best, "counts": counts}))
    else:
        count = run(args.child, path, args.chunk_size)
        print(json.dumps({"count": count, "peak_rss_mb": peak_rss_mb()}))


def measure(kind: str, path: Path, args: argparse.Namespace) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--file",
        str(path),
        "--chunk-size",
        str(args.chunk_size),
        "--repeat",
        str(args.repeat),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs per loop; the best one counts")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the exports (default: a temp dir)")
    parser.add_argument("--child", choices=["throughput", "ours", "every", "cards"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from connectors.pohoda.testing import write_stock_export

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        rows = []
        for size in args.sizes:
            path = Path(tmp) / f"stock_{size}.xml"
            started = time.perf_counter()
            write_stock_export(path, size)
            written = time.perf_counter() - started
            throughput = measure("throughput", path, args)
            assert set(throughput["counts"].values()) == {size}, throughput["counts"]
            rss = {mode: measure(mode, path, args) for mode in ("ours", "every", "cards")}
            assert all(r["count"] == size for r in rss.values()), rss
            rows.append(
                (
                    size,
                    path.stat().st_size / 2**20,
                    written,
                    throughput["seconds"],
                    {mode: r["peak_rss_mb"] for mode, r in rss.items()},
                )
            )
            print(f"  {size:>7} cards: file written in {written:.1f} s, measured", file=sys.stderr)

    print(f"\nPOHODA stock export, chunk size {args.chunk_size}, best of {args.repeat} alternating runs\n")
    header = (
        f"{'cards':>8} {'file MB':>8} | {'bare every/s':>12} {'bare cards/s':>12} {'ours/s':>9} | "
        f"{'ratio/every':>11} {'ratio/cards':>11} | {'RSS ours':>8} {'every':>6} {'cards':>6} MB"
    )
    print(header)
    print("-" * len(header))
    for size, megabytes, _, seconds, rss in rows:
        rate = {mode: size / seconds[mode] for mode in seconds}
        print(
            f"{size:>8} {megabytes:>8.1f} | {rate['every']:>12,.0f} {rate['cards']:>12,.0f} {rate['ours']:>9,.0f} | "
            f"{rate['ours'] / rate['every']:>11.2f} {rate['ours'] / rate['cards']:>11.2f} | "
            f"{rss['ours']:>8.0f} {rss['every']:>6.0f} {rss['cards']:>6.0f}"
        )
    if len(rows) > 1:
        growth = rows[-1][4]["ours"] / rows[0][4]["ours"]
        print(
            f"\npeak RSS of ours, {rows[-1][0]:,} vs {rows[0][0]:,} cards: ×{growth:.2f} (flat ≈ ×1.0; goal ≤ 200 MB)"
        )
    print("goal: ratio ≥ 0.6 against the bare loop that visits every element ('every'); 'cards' is the floor")


if __name__ == "__main__":
    main()
