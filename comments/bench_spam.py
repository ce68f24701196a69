"""How well the spam classifier does on labelled comments it was not trained on.

    make bench-spam        # or: DJANGO_SETTINGS_MODULE=tests.settings python -m comments.bench_spam [FOLDER]

FOLDER holds labelled comment sets as CSV files with a CONTENT and a label
column (1 = spam), such as the UCI YouTube Spam Collection; by default the
shared corpora's spam folder next to the checkout. With n files, the classifier
is trained on n - 1 of them and tested on the one left out, each way round,
and each row reports the share of real comments filed as spam (the score
reaches COMMENTS_SPAM_THRESHOLD), of real comments held, of spam held or filed
(the score reaches HOLD_THRESHOLD) and of spam filed, with the training time and
the time to score one comment. Reads the settings, never the database.
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


def cross_evaluate(folder: Path, *, spam_threshold: float = SPAM_THRESHOLD) -> list[Row]:
    """Train on all files but one, test on that one, for each file."""
    from comments.spam import HOLD_THRESHOLD, Classifier

    sets = {path.name: read_labelled(path) for path in sorted(folder.glob("*.csv"))}
    rows = []
    for tested_on, test in sets.items():
        trained_on = [name for name in sets if name != tested_on]
        started = time.perf_counter()
        model = Classifier.train([pair for name in trained_on for pair in sets[name]])
        train_seconds = time.perf_counter() - started
        started = time.perf_counter()
        scored = [(model.score(text)[0], is_spam) for text, is_spam in test]
        score_microseconds = (time.perf_counter() - started) / len(test) * 1e6
        ham = [score for score, is_spam in scored if not is_spam]
        spam = [score for score, is_spam in scored if is_spam]
        rows.append(
            Row(
                trained_on=trained_on,
                tested_on=tested_on,
                ham=len(ham),
                spam=len(spam),
                ham_filed=sum(score >= spam_threshold for score in ham),
                ham_held=sum(HOLD_THRESHOLD <= score < spam_threshold for score in ham),
                spam_caught=sum(score >= HOLD_THRESHOLD for score in spam),
                spam_filed=sum(score >= spam_threshold for score in spam),
                train_seconds=train_seconds,
                score_microseconds=score_microseconds,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=FOLDER)
    parser.add_argument("--spam-threshold", type=float, default=SPAM_THRESHOLD)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    if len(list(args.folder.glob("*.csv"))) < 2:
        parser.error(f"{args.folder} needs at least two labelled CSV files")
    rows = cross_evaluate(args.folder, spam_threshold=args.spam_threshold)
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
