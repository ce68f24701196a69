"""The translation catalogs under locale/: compile them, update them, check them.

    python -m newsroom.catalogs compile [PO ...]   .po -> .mo with Babel (make install runs it)
    python -m newsroom.catalogs update             makemessages for every language, then compile
    python -m newsroom.catalogs check              strings in the code missing from the catalogs

Django's compilemessages needs GNU gettext's msgfmt, which a fresh machine may not have;
compiling with Babel (pure Python) needs nothing beyond the virtualenv, and needs no
settings either, so the build can run it before anything else is configured. The .mo
files are build output and not in git. Finding the strings in the code (update, check)
does need GNU gettext: Django's makemessages runs xgettext and msgmerge.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import PoFileError, read_po

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"

# What makemessages reads: the project's own code and templates, not the tests, nor the
# virtualenv, node_modules or build output (makemessages already skips dot-directories).
IGNORE = ["tests", "node_modules", "staticfiles", "media", "artifacts"]
# File names without line numbers keep the catalogs' diffs to the strings that changed.
MAKEMESSAGES_OPTIONS = ["--no-obsolete", "--add-location=file", *(f"--ignore={p}" for p in IGNORE)]


# Django and the apps we use name Chinese zh_Hans, where our catalogs and URLs say zh, so
# Django would find none of their strings (the admin's above all) for a zh page. Their
# zh_Hans catalogs are folded into ours as they compile: ours win where both translate a
# string, and the admin's JavaScript strings become our zh djangojs.mo.
BORROWED_LOCALES = {"zh": "zh_Hans"}
BORROWED_FROM = ["django", "taggit"]


def borrowed_catalogs(language: str, domain: str) -> list[Catalog]:
    """The catalogs Django and the apps ship for `language` under their name for it."""
    locale = BORROWED_LOCALES.get(language)
    if locale is None:
        return []
    catalogs = []
    for package in BORROWED_FROM:
        spec = importlib.util.find_spec(package)  # found, not imported: no settings needed
        if spec is None or spec.origin is None:
            continue
        for mo in sorted(Path(spec.origin).parent.glob(f"**/locale/{locale}/LC_MESSAGES/{domain}.mo")):
            with mo.open("rb") as f:
                catalog = read_mo(f)
            for message in catalog:
                if isinstance(message.context, bytes):  # Babel's reader leaves contexts undecoded
                    message.context = message.context.decode(catalog.charset)
            catalogs.append(catalog)
    return catalogs


def fold_in(catalog: Catalog, others: list[Catalog]) -> Catalog:
    """`catalog` with the translations of `others` it lacks; the first of them wins a tie."""
    for other in others:
        for message in other:
            if not message.id:
                continue  # the header
            mine = catalog.get(message.id, context=message.context)
            if mine is None or not is_translated(mine):
                catalog[message.id] = message
    return catalog


def po_files(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def languages(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """The catalogs' languages as makemessages names them (fr, ar, zh...)."""
    return sorted({po.parent.parent.name for po in po_files(locale_dir)})


def read_catalog(po: Path) -> Catalog:
    with po.open("rb") as f:
        # abort_invalid: a malformed catalog stops the build instead of losing entries.
        return read_po(f, abort_invalid=True)


def compile_catalog(po: Path, mo: Path | None = None) -> Path:
    """Write po's .mo (beside it unless mo is given); fuzzy and empty entries are left out."""
    mo = mo or po.with_suffix(".mo")
    language, domain = po.parent.parent.name, po.stem
    _write_mo(fold_in(read_catalog(po), borrowed_catalogs(language, domain)), mo)
    scripts = borrowed_catalogs(language, "djangojs") if domain == "django" else []
    if scripts and not po.with_name("djangojs.po").exists():
        _write_mo(fold_in(Catalog(locale=language), scripts), mo.with_name("djangojs.mo"))
    return mo


def _write_mo(catalog: Catalog, mo: Path) -> None:
    # Written aside and renamed, so a test run's workers never read a half-written file.
    partial = mo.with_name(f".{mo.name}.{os.getpid()}")
    try:
        with partial.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        partial.replace(mo)
    finally:
        partial.unlink(missing_ok=True)


def compile_stale(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile the catalogs whose .mo is missing or older than the .po."""
    stale = [
        po
        for po in po_files(locale_dir)
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    return [compile_catalog(po) for po in stale]


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq", "msgattrib") if not shutil.which(tool)]
    if missing:
        sys.exit(
            f"Finding the strings in the code needs GNU gettext ({', '.join(missing)} not found). "
            "Install it ('apt-get install gettext', 'brew install gettext') and run this again. "
            "Compiling the catalogs does not need it."
        )


def _makemessages(root: Path, langs: list[str]) -> None:
    # DEBUG: settings without SECRET_KEY (nothing is served). makemessages never touches the
    # database, so a URL that is never used keeps the private cluster from being started
    # (or, in check's copy of the source, created).
    env = {**os.environ, "DEBUG": "true", "DATABASE_URL": "postgres://unused@localhost/unused"}
    command = [sys.executable, "manage.py", "makemessages", "--verbosity=0", *MAKEMESSAGES_OPTIONS]
    command += [f"--locale={lang}" for lang in langs]
    subprocess.run(command, cwd=root, env=env, check=True)


def update() -> None:
    """Add the code's new strings to every catalog (keeping the translations), then compile."""
    _require_gettext()
    _makemessages(BASE_DIR, languages())
    for po in po_files():
        compile_catalog(po)


def _source_ignore(directory: str, names: list[str]) -> set[str]:
    skip = {".git", ".venv", ".data", "__pycache__", *IGNORE}
    return {name for name in names if name in skip or name.endswith(".mo")}


def check() -> int:
    """Report the code's strings that a catalog lacks or leaves untranslated; 1 if there are any.

    makemessages runs on a copy of the source, so the catalogs in the checkout are untouched.
    """
    _require_gettext()
    problems = 0
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(BASE_DIR, copy, ignore=_source_ignore)
        _makemessages(copy, languages())
        for fresh_po in po_files(copy / "locale"):
            ours = read_catalog(LOCALE_DIR / fresh_po.relative_to(copy / "locale"))
            fresh = read_catalog(fresh_po)
            name = fresh_po.relative_to(copy)
            missing = [m for m in fresh if m.id and ours.get(m.id, m.context) is None]
            untranslated = [
                m for m in fresh if m.id and ours.get(m.id, m.context) and not is_translated(ours.get(m.id, m.context))
            ]
            unused = [m for m in ours if m.id and fresh.get(m.id, m.context) is None]
            for label, messages in (
                ("in the code but not in", missing),
                ("untranslated or fuzzy in", untranslated),
                ("no longer in the code but still in", unused),
            ):
                if messages:
                    problems += len(messages)
                    print(f"{len(messages)} {'string' if len(messages) == 1 else 'strings'} {label} {name}:")
                    for message in messages:
                        print(f"    {_text(message.id)!r}")
    if problems:
        print("Run 'make messages', translate the new entries, then 'make messages-check' again.")
    else:
        print("Every catalog has every string in the code, translated.")
    return 1 if problems else 0


def is_translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return not message.fuzzy and all(strings)


def _text(message_id: str | tuple) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


def main(argv: list[str]) -> int:
    action, paths = (argv[0], argv[1:]) if argv else ("compile", [])
    if action == "compile":
        for po in [Path(p) for p in paths] or po_files():
            try:
                compile_catalog(po)
            except PoFileError as error:
                print(f"{po}: {error}. Nothing was compiled from it.", file=sys.stderr)
                return 1
        return 0
    if action == "update":
        update()
        return 0
    if action == "check":
        return check()
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
