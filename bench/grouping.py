"""How long "group similar ideas" takes for a board of N post-its (no server, no database).

Builds N post-its by cycling through the brainstorm sample of the tests with small, seeded
variations (case, missing accents, a typo, "svp", a prefix), so that they are not all
identical, then times `suggest_clusters` and `likely_duplicates` with time.perf_counter.

    .venv/bin/python -m bench.grouping --counts 100 300 1000 --repeat 5
"""

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sklearn
from sklearn.feature_extraction.text import strip_accents_unicode

from workshops.suggestions import likely_duplicates, suggest_clusters

SAMPLE = (
    Path(__file__).resolve().parents[1] / "tests" / "workshops" / "data" / "brainstorm_sample.json"
)
PREFIXES = ("", "", "", "Idée : ", "→ ", "Pourquoi pas : ")
SUFFIXES = ("", "", "", " svp", " !!", " +1", " (urgent)", " :)")


def sample_texts() -> list[str]:
    return [postit["text"] for postit in json.loads(SAMPLE.read_text())["postits"]]


def vary(text: str, rng: random.Random) -> str:
    """One participant's way of writing the same idea."""
    if rng.random() < 0.3:
        text = strip_accents_unicode(text)
    if rng.random() < 0.3:
        text = text.lower()
    if rng.random() < 0.3 and len(text) > 4:
        at = rng.randrange(1, len(text) - 2)
        text = text[:at] + text[at + 1] + text[at] + text[at + 2 :]  # swapped letters
    return rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)


def board(count: int, seed: int = 0) -> list[tuple[int, str]]:
    """`count` post-its: the sample's texts as written first, then varied copies."""
    rng = random.Random(seed)
    texts = sample_texts()
    return [
        (postit_id, text if postit_id <= len(texts) else vary(text, rng))
        for postit_id, text in enumerate(
            (texts[index % len(texts)] for index in range(count)), start=1
        )
    ]


@dataclass(frozen=True)
class Timing:
    median_s: float
    max_s: float


def timed(call: Callable[[], object], repeat: int) -> tuple[Timing, object]:
    """Run `call` once to warm up (imports, caches), then `repeat` timed times."""
    result = call()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Timing(statistics.median(seconds), max(seconds)), result


def measure(count: int, repeat: int) -> dict:
    notes = board(count)
    clusters_time, clusters = timed(lambda: suggest_clusters(notes), repeat)
    duplicates_time, pairs = timed(lambda: likely_duplicates(notes), repeat)
    return {
        "count": count,
        "clusters_median_s": clusters_time.median_s,
        "clusters_max_s": clusters_time.max_s,
        "duplicates_median_s": duplicates_time.median_s,
        "duplicates_max_s": duplicates_time.max_s,
        "clusters": len(clusters),
        "grouped": sum(len(group.postit_ids) for group in clusters),
        "largest": max((len(group.postit_ids) for group in clusters), default=0),
        "duplicate_pairs": len(pairs),
    }


COLUMNS = (
    ("post-its", lambda r: f"{r['count']}"),
    ("suggest median s", lambda r: f"{r['clusters_median_s']:.3f}"),
    ("suggest max s", lambda r: f"{r['clusters_max_s']:.3f}"),
    ("duplicates median s", lambda r: f"{r['duplicates_median_s']:.3f}"),
    ("duplicates max s", lambda r: f"{r['duplicates_max_s']:.3f}"),
    ("clusters", lambda r: f"{r['clusters']}"),
    ("grouped post-its", lambda r: f"{r['grouped']}"),
    ("largest", lambda r: f"{r['largest']}"),
    ("duplicate pairs", lambda r: f"{r['duplicate_pairs']}"),
)


def markdown_table(rows: Sequence[dict]) -> str:
    lines = ["| " + " | ".join(name for name, _cell in COLUMNS) + " |"]
    lines.append("|" + "---|" * len(COLUMNS))
    lines += ["| " + " | ".join(cell(row) for _name, cell in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--count", type=int, help="one board size (default 300)")
    sizes.add_argument("--counts", type=int, nargs="+", help="several board sizes")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size")
    args = parser.parse_args(argv)
    args.sizes = args.counts or [args.count or 300]
    if min(args.sizes) < 1 or args.repeat < 1:
        parser.error("--count/--counts and --repeat must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"# Python {platform.python_version()}, scikit-learn {sklearn.__version__}, "
        f"{platform.machine()}, repeat {args.repeat} (after one warm-up run)"
    )
    rows = []
    for count in args.sizes:
        rows.append(measure(count, args.repeat))
        print(f"# {count} post-its done", file=sys.stderr, flush=True)
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
