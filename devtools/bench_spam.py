"""How well the spam classifier does on labelled comments it was not trained on.

    make bench-spam        # or: DJANGO_SETTINGS_MODULE=tests.settings python -m devtools.bench_spam [FOLDER]

FOLDER holds labelled comment sets as CSV files with a CONTENT and a label
column (1 = spam), such as the UCI YouTube Spam Collection; by default the
shared corpora's spam folder next to the checkout. With n files, the classifier
is trained on n - 1 of them and tested on the one left out, each way round,
and each row reports the share of real comments filed as spam (the score
reaches COMMENTS_SPAM_THRESHOLD), of real comments held, of spam held or filed
(the score reaches COMMENTS_HOLD_THRESHOLD) and of spam filed, with the
training time and the time to score one comment. Reads neither the database
nor the thresholds set in the environment: their defaults, or --spam-threshold
and --hold-threshold.

With --pairs, the classifier is trained on each file alone and tested on each
other one, at several hold thresholds: the evaluation that the default hold
threshold was chosen on.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FOLDER = BASE_DIR.parent / "shared" / "corpora" / "spam"
SPAM_THRESHOLD = 0.9  # COMMENTS_SPAM_THRESHOLD's default
HOLD_THRESHOLD = 0.3  # COMMENTS_HOLD_THRESHOLD's default
PAIR_HOLD_THRESHOLDS = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25)


@dataclass
class Row:
    trained_on: list[str]
    tested_on: str
    ham: int
    spam: int
    ham_filed: int
    ham_held: int
    spam_caught: int
    spam_filed: int
    train_seconds: float
    score_microseconds: float

    def percent(self, count: int, of: int) -> float:
        return 100 * count / of

    def line(self) -> str:
        return (
            f"| {' + '.join(self.trained_on)} | {self.tested_on} "
            f"| {self.percent(self.ham_filed, self.ham):.1f} % ({self.ham_filed}/{self.ham}) "
            f"| {self.percent(self.ham_held, self.ham):.1f} % "
            f"| {self.percent(self.spam_caught, self.spam):.1f} % ({self.spam_caught}/{self.spam}) "
            f"| {self.percent(self.spam_filed, self.spam):.1f} % |"
        )


HEADER = (
    "| trained on | tested on | real comments filed as spam | real comments held | spam held or filed | spam filed |\n"
    "|---|---|---|---|---|---|"
)


def read_labelled(path: Path) -> list[tuple[str, bool]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["CONTENT"], row["label"].strip() == "1") for row in csv.DictReader(handle)]


def read_folder(folder: Path) -> dict[str, list[tuple[str, bool]]]:
    return {path.name: read_labelled(path) for path in sorted(folder.glob("*.csv"))}


def cross_evaluate(
    folder: Path, *, spam_threshold: float = SPAM_THRESHOLD, hold_threshold: float = HOLD_THRESHOLD
) -> list[Row]:
    """Train on all files but one, test on that one, for each file."""
    sets = read_folder(folder)
    return [
        evaluate(sets, [name for name in sets if name != tested_on], tested_on, spam_threshold, {hold_threshold})[
            hold_threshold
        ]
        for tested_on in sets
    ]


def pair_evaluate(
    folder: Path, *, spam_threshold: float = SPAM_THRESHOLD, hold_thresholds=PAIR_HOLD_THRESHOLDS
) -> dict[float, list[Row]]:
    """Train on each file alone and test on each other one: the rows at each hold threshold."""
    sets = read_folder(folder)
    by_pair = [
        evaluate(sets, [trained_on], tested_on, spam_threshold, hold_thresholds)
        for trained_on in sets
        for tested_on in sets
        if trained_on != tested_on
    ]
    return {hold: [rows[hold] for rows in by_pair] for hold in hold_thresholds}


def evaluate(
    sets: dict[str, list[tuple[str, bool]]],
    trained_on: list[str],
    tested_on: str,
    spam_threshold: float,
    hold_thresholds,
) -> dict[float, Row]:
    """Train on some sets, score another: a row for each hold threshold."""
    from comments.spam import Classifier

    started = time.perf_counter()
    model = Classifier.train([pair for name in trained_on for pair in sets[name]])
    train_seconds = time.perf_counter() - started
    test = sets[tested_on]
    started = time.perf_counter()
    scored = [(model.score(text)[0], is_spam) for text, is_spam in test]
    score_microseconds = (time.perf_counter() - started) / len(test) * 1e6
    ham = [score for score, is_spam in scored if not is_spam]
    spam = [score for score, is_spam in scored if is_spam]
    return {
        hold: Row(
            trained_on=trained_on,
            tested_on=tested_on,
            ham=len(ham),
            spam=len(spam),
            ham_filed=sum(score >= spam_threshold for score in ham),
            ham_held=sum(hold <= score < spam_threshold for score in ham),
            spam_caught=sum(score >= hold for score in spam),
            spam_filed=sum(score >= spam_threshold for score in spam),
            train_seconds=train_seconds,
            score_microseconds=score_microseconds,
        )
        for hold in hold_thresholds
    }


def mean_share(rows: list[Row], count: str, of: str) -> float:
    return sum(getattr(row, count) / getattr(row, of) for row in rows) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=FOLDER)
    parser.add_argument("--spam-threshold", type=float, default=SPAM_THRESHOLD)
    parser.add_argument("--hold-threshold", type=float, default=HOLD_THRESHOLD)
    parser.add_argument("--pairs", action="store_true", help="train on one file, test on another")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    if len(list(args.folder.glob("*.csv"))) < 2:
        parser.error(f"{args.folder} needs at least two labelled CSV files")
    if args.pairs:
        for hold, rows in pair_evaluate(args.folder, spam_threshold=args.spam_threshold).items():
            print(f"Held from {hold}:\n\n{HEADER}")
            for row in rows:
                print(row.line())
            print(
                f"\nMean: {100 * mean_share(rows, 'ham_held', 'ham'):.1f} % of real comments held, "
                f"{100 * mean_share(rows, 'spam_caught', 'spam'):.1f} % of spam held or filed\n"
            )
        return
    rows = cross_evaluate(args.folder, spam_threshold=args.spam_threshold, hold_threshold=args.hold_threshold)
    print(HEADER)
    for row in rows:
        print(row.line())
    print()
    for row in rows:
        print(
            f"{row.tested_on}: trained in {row.train_seconds * 1000:.0f} ms, "
            f"{row.score_microseconds:.0f} µs to score a comment"
        )


if __name__ == "__main__":
    main()
