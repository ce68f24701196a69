"""Languages and translation links in multilingual WordPress exports (issue 20).

What the export carries, read without trusting it:

Polylang keeps languages and translations in taxonomies, which the WordPress
exporter writes like any other:
- a post names its language as `<category domain="language" nicename="fr">`;
  the language's own `<wp:term>` (taxonomy `language`) has a serialized PHP
  array as its description, with the WordPress locale (`fr_FR`);
- posts that translate each other share a `post_translations` term, named
  `pll_<uniqid>`: each names it as `<category domain="post_translations"
  nicename="pll_...">`, and the term's description is a serialized map of
  language slug to post id (`a:2:{s:2:"en";i:12;s:2:"fr";i:14;}`).

WPML keeps languages in its own table, which the WordPress exporter leaves out.
Its "Export and Import" add-on writes them as custom fields of each post:
`_wpml_import_language_code`, `_wpml_import_translation_group` (shared by an
original and its translations) and `_wpml_import_source_language_code` (empty
on the original). A post WPML duplicated keeps `_icl_lang_duplicate_of`, the id
of its original. Some exporters write the language as `wpml_language`.

The serialized descriptions are read by `php_array` below (strings, integers
and nested arrays only), never by anything that could build objects.
"""

from __future__ import annotations

import re

from django.conf import settings

WPML_LANGUAGE_KEYS = ("_wpml_import_language_code", "wpml_language")
WPML_GROUP = "_wpml_import_translation_group"
WPML_SOURCE = "_wpml_import_source_language_code"
WPML_DUPLICATE_OF = "_icl_lang_duplicate_of"

MAX_SERIALIZED = 20_000  # a group of every language on earth is about 1 kB
MAX_DEPTH = 4


def language_code(raw: str, locale: str = "") -> str | None:
    """The offered language (settings.LANGUAGES) a WordPress language names: by its locale first
    (zh_CN; a Polylang slug is free text, "ar" may well be Argentinian Spanish, es_AR), else its code
    or slug (fr, pt-br, zh-hans); None when the site does not offer it."""
    offered = dict(settings.LANGUAGES)
    for value in (locale, raw):
        value = value.strip().lower()
        if not value:
            continue
        if value in offered:
            return value
        base = re.split(r"[-_]", value, maxsplit=1)[0]
        if base in offered:
            return base
    return None


def php_array(serialized: str) -> dict | None:
    """A PHP serialize()d array of strings, integers, booleans, nulls and nested arrays; None for
    anything else (objects, references, damaged or over-long text)."""
    data = serialized.strip().encode()
    if not data.startswith(b"a:") or len(data) > MAX_SERIALIZED:
        return None
    try:
        value, end = _read(data, 0, 0)
    except (ValueError, IndexError):
        return None
    return value if isinstance(value, dict) and end == len(data) else None


_TOKEN = {
    ord("i"): re.compile(rb"i:(-?\d{1,18});"),
    ord("b"): re.compile(rb"b:([01]);"),
    ord("N"): re.compile(rb"N;"),
    ord("s"): re.compile(rb's:(\d{1,6}):"'),
    ord("a"): re.compile(rb"a:(\d{1,4}):\{"),
}


def _read(data: bytes, at: int, depth: int) -> tuple[object, int]:
    pattern = _TOKEN.get(data[at])
    match = pattern.match(data, at) if pattern else None
    if match is None:
        raise ValueError("not a serialized scalar or array")
    kind, at = data[at], match.end()
    if kind == ord("i"):
        return int(match[1]), at
    if kind == ord("b"):
        return match[1] == b"1", at
    if kind == ord("N"):
        return None, at
    if kind == ord("s"):
        length = int(match[1])  # in bytes, as PHP counts
        if data[at + length : at + length + 2] != b'";':
            raise ValueError("a string of the wrong length")
        return data[at : at + length].decode("utf-8", "replace"), at + length + 2
    count = int(match[1])
    if depth >= MAX_DEPTH:
        raise ValueError("nested too deep")
    result = {}
    for _index in range(count):
        key, at = _read(data, at, depth + 1)
        if not isinstance(key, int | str) or isinstance(key, bool):
            raise ValueError("an array key must be an integer or a string")
        result[key], at = _read(data, at, depth + 1)
    if data[at : at + 1] != b"}":
        raise ValueError("an array that does not close")
    return result, at + 1


def translation_map(serialized: str) -> dict[str, str]:
    """A Polylang translation group's description: language slug -> post id (as the export's
    post ids, strings). Other keys (Polylang Pro keeps "sync" there) and non-ids are left out."""
    result = {}
    for language, post_id in (php_array(serialized) or {}).items():
        is_language = isinstance(language, str) and re.fullmatch(r"[a-z]{2,3}(?:[-_][a-z0-9]{2,8})?", language, re.I)
        is_id = (isinstance(post_id, int) and post_id > 0) or (isinstance(post_id, str) and post_id.isdigit())
        if is_language and is_id:
            result[language.lower()] = str(post_id)
    return result


def locale_of(serialized: str) -> str:
    """The WordPress locale in a Polylang language term's description (fr_FR); '' when none."""
    locale = (php_array(serialized) or {}).get("locale", "")
    return locale if isinstance(locale, str) and re.fullmatch(r"[a-z]{2,3}(?:_[A-Za-z0-9]{2,8})*", locale) else ""


def term_names(groups: list[dict[str, str]]) -> dict[str, tuple[str, str]]:
    """Polylang's term_translations groups (language slug -> term id) as term id -> (the id of the
    group's term in the site's default language, the term's language), for the terms in another
    offered language. Groups without a default-language term, and unknown languages, are left out."""
    result = {}
    for group in groups:
        codes = {term_id: language_code(slug) for slug, term_id in group.items()}
        original = next((term_id for term_id, code in codes.items() if code == settings.LANGUAGE_CODE), None)
        if original is None:
            continue
        for term_id, code in codes.items():
            if code and term_id != original and code != settings.LANGUAGE_CODE:
                result[term_id] = (original, code)
    return result
