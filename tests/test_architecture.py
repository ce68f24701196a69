"""The import rules drawn in the README ("Architecture"), checked on every module of the project.

Each Python file is parsed with `ast`; every import counts, at the top of a module or inside
a function, and so does `import_module("...")` with a literal name. A forbidden import fails
with the file, the line and the rule it breaks.
"""

from __future__ import annotations

import ast
import unittest
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SITE = "newsroom"
APPS = ("articles", "comments", "newsletter", "wordpress", "donations")
LIB = "lib"
DEVTOOLS = "devtools"
FIRST_PARTY = {SITE, *APPS, LIB, DEVTOOLS, "tests"}

# What an app offers the other apps. Everything else in an app is its own business.
PUBLIC = {
    # The base app: its models, and the helpers that build what its models hold (Markdown to
    # HTML, transcripts, slugs, photos and their renditions, translated names in forms).
    "articles": {
        "articles.models",
        "articles.markup",
        "articles.transcript",
        "articles.slugs",
        "articles.images",
        "articles.tasks",
        "articles.forms",
    },
    # For the WordPress importer, which brings comments in.
    "comments": {"comments.models", "comments.tasks"},
}
# Outside devtools, management commands and tests, only the settings may use devtools: they
# start the private database when DATABASE_URL is unset, which production never leaves unset.
DEVTOOLS_USERS = {"newsroom/settings.py"}
SKIP = {".venv", "node_modules", ".data", ".git", "staticfiles", "media", "__pycache__"}


@dataclass(frozen=True)
class Import:
    path: str  # relative to the repository, with /
    line: int
    module: str  # the module imported, as precisely as the statement says


def module_exists(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_in(source: str, relative: str) -> list[Import]:
    """The imports of the module at `relative` (a path from the repository's root) whose text is `source`."""
    package = relative.removesuffix(".py").replace("/", ".").rsplit(".", 1)[0]
    if relative.endswith("/__init__.py"):
        package = relative.removesuffix("/__init__.py").replace("/", ".")
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Import):
            found += [Import(relative, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                # `from articles import models` imports the module articles.models.
                submodule = f"{base}.{alias.name}"
                found.append(Import(relative, node.lineno, submodule if module_exists(submodule) else base))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append(Import(relative, node.lineno, node.args[0].value))
    return found


def top(name: str) -> str:
    return name.split(".", 1)[0]


def broken_rules(imp: Import) -> list[str]:
    """The rules `imp` breaks, in the README's words."""
    importer, target = top(imp.path.split("/", 1)[0]), top(imp.module)
    if target not in FIRST_PARTY or importer in ("tests", DEVTOOLS):
        return []
    broken = []
    is_command = "/management/commands/" in imp.path
    if target == DEVTOOLS and not is_command and imp.path not in DEVTOOLS_USERS:
        broken.append("nothing the site runs imports devtools (only the Makefile, management commands and tests)")
    if importer == LIB and target in (SITE, *APPS):
        broken.append("lib imports no app and not the site package")
    if importer == LIB and (imp.module.endswith(".models") or ".models." in imp.module):
        broken.append("lib imports no models, so it needs no installed app")
    if importer in APPS and target == SITE:
        broken.append("no app imports the site package newsroom (shared helpers are in lib)")
    if importer == "articles" and target in APPS and target != "articles":
        broken.append("articles, the base app, imports no other app")
    elif importer in APPS and target in APPS and target != importer:
        public = PUBLIC.get(target, set())
        if not any(imp.module == name or imp.module.startswith(name + ".") for name in public):
            allowed = ", ".join(sorted(public)) or "nothing"
            broken.append(f"apps import only what another app makes public ({target} offers {allowed})")
    if "/migrations/" in imp.path and ".migrations." in imp.module:
        broken.append("no migration imports another migration (copy what it needs: migrations are frozen)")
    return broken


def python_files() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP & set(p.relative_to(ROOT).parts))


class ArchitectureTests(unittest.TestCase):
    def test_it_keeps_every_import_to_the_picture(self) -> None:
        problems = [
            f"{imp.path}:{imp.line}: imports {imp.module}: {rule}"
            for path in python_files()
            for imp in imports_in(path.read_text(), path.relative_to(ROOT).as_posix())
            for rule in broken_rules(imp)
        ]
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_it_sees_imports_everywhere_a_module_can_make_them(self) -> None:
        # The walk must find imports inside functions, relative imports and import_module calls,
        # or a forbidden import could hide in any of them.
        source = (
            "from importlib import import_module\n"
            "from . import models\n"
            "def f():\n"
            "    from newsroom import views\n"
            "    return import_module('newsletter.sending')\n"
        )
        found = [(imp.line, imp.module, bool(broken_rules(imp))) for imp in imports_in(source, "comments/probe.py")]
        self.assertEqual(
            found,
            [
                (1, "importlib", False),
                (2, "comments.models", False),
                (4, "newsroom.views", True),
                (5, "newsletter.sending", True),
            ],
        )

    def test_it_names_the_rule_each_forbidden_import_breaks(self) -> None:
        cases = {
            Import("lib/mail.py", 1, "articles.models"): "lib imports no app",
            Import("newsletter/views.py", 1, "newsroom.cache"): "no app imports the site package",
            Import("articles/views.py", 1, "comments.models"): "articles, the base app, imports no other app",
            Import("newsletter/admin.py", 1, "articles.admin"): "apps import only what another app makes public",
            Import("newsroom/views.py", 1, "devtools.demo_articles"): "nothing the site runs imports devtools",
            Import("comments/migrations/0009_x.py", 1, "articles.migrations.0006_y"): "no migration imports another",
        }
        for imp, rule in cases.items():
            with self.subTest(imp=imp):
                self.assertTrue(any(rule in broken for broken in broken_rules(imp)), broken_rules(imp))
        for allowed in (
            Import("newsletter/models.py", 1, "articles.models"),
            Import("wordpress/importer.py", 1, "articles.markup"),
            Import("articles/views.py", 1, "lib.cache"),
            Import("newsroom/views.py", 1, "articles.models"),
            Import("newsroom/management/commands/load_demo.py", 1, "devtools.demo_articles"),
            Import("devtools/bench.py", 1, "newsroom.urls"),
            Import("tests/articles/test_demo.py", 1, "devtools.demo_articles"),
        ):
            with self.subTest(imp=allowed):
                self.assertEqual(broken_rules(allowed), [])
