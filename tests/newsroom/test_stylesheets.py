"""Every stylesheet parses as browsers parse it, with nothing left open and nothing unreachable.

Browsers forgive a broken stylesheet silently: a block left open at the end of the
file is closed there, so every rule after the opening brace lands inside it. That
is how the whole reader design once applied only when printing (issue 13). Two
checkers look at each file: tinycss2 (CSS Syntax Level 3, as browsers tokenise)
for structure, and the Nu validator's CSS mode for properties and values.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import tinycss2

from tests.browser.tools import VNU
from tests.conftest import BASE_DIR

NOT_OURS = {".venv", "node_modules", "staticfiles", "media", ".data", "artifacts"}

# Interactive states never happen on paper: a rule that needs one inside
# `@media print` can never apply.
INTERACTIVE = (":hover", ":focus", ":active", ":target")

# The shape of the bug that made this test: a print block whose closing brace was lost.
LEFT_OPEN = """
.page { max-width: 72rem; }
@media print {
  .site-header nav { display: none !important; }
  body { background: #fff; }
/* Discovery: home and listings */
.home__grid { display: grid; gap: 2rem; }
.story__title a:hover { text-decoration: underline; }
"""


def stylesheets() -> list[Path]:
    """Our own stylesheets: every .css under a static/ folder of the checkout."""
    found = [
        path
        for path in BASE_DIR.rglob("static/**/*.css")
        if not NOT_OURS.intersection(path.relative_to(BASE_DIR).parts)
    ]
    return sorted(found)


def where(node) -> str:
    return f"line {node.source_line}"


def problems(css: str) -> list[str]:
    """What is wrong with a stylesheet's structure; an empty list when nothing is."""
    found = []
    # Serialising the parsed tree gives back the text exactly, except that blocks the
    # end of the file closed get their missing brace: so any difference is one.
    tokens = tinycss2.parse_component_value_list(css, skip_comments=False)
    if tinycss2.serialize(tokens) != css:
        found.extend(f"{where(block)}: block opened here is never closed" for block in unclosed(tokens, css))
        if not found:
            found.append("the file does not round-trip through the CSS parser: a bracket is unbalanced")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    walk(rules, context=(), found=found)
    return found


def unclosed(tokens, css: str) -> list:
    """Blocks whose closing bracket is missing from the source."""
    lines = css.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    missing = []
    for token in tokens:
        if token.type in ("{} block", "[] block", "() block", "function"):
            text = tinycss2.serialize([token])
            start = offsets[token.source_line - 1] + token.source_column - 1
            if css[start : start + len(text)] != text:
                inner = unclosed(token.arguments if token.type == "function" else token.content, css)
                missing.extend(inner or [token])
    return missing


def walk(rules, *, context: tuple[str, ...], found: list[str]) -> None:
    """Report parse errors, empty rules and rules that can never apply, block by block."""
    seen: dict[str, tuple[object, dict[str, bool]]] = {}
    for rule in rules:
        if rule.type == "error":
            found.append(f"{where(rule)}: {rule.message}")
        elif rule.type == "at-rule" and rule.content is not None:
            prelude = tinycss2.serialize(rule.prelude).strip()
            nested = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            if rule.lower_at_keyword in ("media", "supports", "layer", "container"):
                walk(nested, context=(*context, f"@{rule.lower_at_keyword} {prelude}"), found=found)
            else:
                found.extend(f"{where(rule)}: {item.message}" for item in nested if item.type == "error")
        elif rule.type == "qualified-rule":
            selector = " ".join(tinycss2.serialize(rule.prelude).split())
            # A stray closing bracket ends up in the next rule's selector, which browsers then drop.
            strays = [
                token
                for token in rule.prelude
                if token.type == "error" or token.type == "literal" and token.value == ";"
            ]
            if strays:
                found.append(f"{where(strays[0])}: stray bracket or `;`; browsers drop the rule `{selector}`")
            declarations = {}
            for item in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
                if item.type == "error":
                    found.append(f"{where(item)}: {item.message} in `{selector}`")
                elif item.type == "declaration":
                    declarations[item.lower_name] = item.important
                elif item.type == "qualified-rule":
                    found.append(f"{where(item)}: a rule nested inside `{selector}`; keep rules flat")
            if not declarations:
                found.append(f"{where(rule)}: `{selector}` is empty")
            if any("@media print" in c for c in context) and any(state in selector for state in INTERACTIVE):
                found.append(f"{where(rule)}: `{selector}` needs an interactive state inside @media print")
            # A rule every one of whose declarations a later rule with the same selector
            # (in the same block) sets again, as strongly, never shows: it is dead code.
            if selector in seen:
                earlier, earlier_declarations = seen[selector]
                if all(
                    name in declarations and declarations[name] >= important
                    for name, important in earlier_declarations.items()
                ):
                    found.append(f"{where(earlier)}: `{selector}` is overridden entirely by {where(rule)}")
            seen[selector] = (rule, declarations)


def test_there_are_stylesheets_to_check():
    names = [path.name for path in stylesheets()]
    assert "site.css" in names


@pytest.mark.parametrize("path", stylesheets(), ids=lambda path: path.name)
def test_each_stylesheet_is_well_formed(path):
    assert problems(path.read_text()) == []


def test_a_block_left_open_is_caught():
    found = problems(LEFT_OPEN)
    assert "line 3: block opened here is never closed" in found
    assert "line 8: `.story__title a:hover` needs an interactive state inside @media print" in found


def test_a_stray_closing_brace_is_caught():
    found = problems(".a { color: red; } }\n.b { color: blue; }")
    assert found == ["line 1: stray bracket or `;`; browsers drop the rule `} .b`"]


def test_a_rule_that_a_later_one_overrides_entirely_is_caught():
    css = ".a { color: red; }\n.b { color: blue; }\n.a { color: green; margin: 0; }\n"
    assert problems(css) == ["line 1: `.a` is overridden entirely by line 3"]


def test_an_important_declaration_is_not_overridden_by_a_plain_one():
    assert problems(".a { color: red !important; }\n.a { color: green; }\n") == []


def test_the_same_selector_in_another_block_is_not_dead():
    assert problems(".a { color: red; }\n@media (min-width: 40rem) { .a { color: green; } }\n") == []


def test_empty_rules_and_bad_declarations_are_caught():
    found = problems(".a { }\n.b { color red; }\n")
    assert "line 1: `.a` is empty" in found
    assert any(problem.startswith("line 2:") and "`.b`" in problem for problem in found)


@pytest.mark.skipif(
    not VNU.exists() or shutil.which("java") is None,
    reason="the Nu validator needs node_modules/vnu-jar (npm ci) and a Java runtime",
)
def test_the_nu_validator_finds_no_css_errors(tmp_path):
    """One Java start for every stylesheet plus the broken sample, which must fail."""
    broken = tmp_path / "left-open.css"
    broken.write_text(LEFT_OPEN)
    paths = [*stylesheets(), broken]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--css", "--format", "json", "--exit-zero-always", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [m for m in messages if m["type"] == "error"]
    assert any(m["url"].endswith("left-open.css") for m in errors), "the validator missed an unclosed block"
    ours = [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in errors]
    assert [m for m in ours if not m.startswith("left-open.css")] == []
