"""The interface translations: the catalogs under locale/, how they compile, and pages that use them.

These tests check the catalogs against themselves (every entry translated, not fuzzy, its
placeholders and markup kept), so adding a string to the code does not fail them; `make
messages-check` is what lists strings in the code that the catalogs lack.
"""

import contextlib
import gettext
import io
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import django
from babel.messages.catalog import Message
from django.conf import settings
from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import translation

from newsroom import catalogs
from newsroom.catalogs import compile_catalog, compile_stale, po_files, read_catalog
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_editor

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
DJANGO_DIR = Path(django.__file__).parent
# The languages the site must offer translated; a catalog for any other is held to the same rules.
REQUIRED = {"fr", "es", "ar"}
# Plural forms per language: Arabic has six, Russian three, Chinese one.
NPLURALS = {"fr": 2, "es": 2, "ar": 6, "ru": 3, "zh": 1}

# %(name)s-style and bare %s/%d placeholders, {name} placeholders, and HTML tags.
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifr]")
BRACED = re.compile(r"\{(\w+)\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _catalogs():
    return [(po.parent.parent.name, read_catalog(po)) for po in po_files(LOCALE_DIR)]


def _messages(catalog) -> list[Message]:
    return [message for message in catalog if message.id]


def _strings(message: Message) -> tuple[str, ...]:
    return tuple(message.string) if message.pluralizable else (message.string,)


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if message.pluralizable else (message.id,)


def _named(text: str) -> set[str]:
    return set(NAMED.findall(text)) | set(BRACED.findall(text))


def _positional(text: str) -> list[str]:
    return POSITIONAL.findall(NAMED.sub("", text.replace("%%", "")))


class CatalogTests(SimpleTestCase):
    def test_the_required_languages_have_catalogs(self) -> None:
        languages = {language for language, _ in _catalogs()}
        self.assertLessEqual(REQUIRED, languages)
        # Every catalog is named as the site names the language (zh for Chinese, not zh_Hans or
        # zh_CN): a catalog under another name would never be loaded.
        known = {translation.to_locale(code) for code, _ in settings.LANGUAGES}
        self.assertLessEqual(languages, known)

    def test_every_catalog_has_the_same_strings(self) -> None:
        # makemessages updates them together: one left behind would show English in places.
        catalogs = _catalogs()
        first_language, first = catalogs[0]
        expected = {message.id for message in _messages(first)}
        for language, catalog in catalogs[1:]:
            with self.subTest(language=language):
                self.assertEqual({message.id for message in _messages(catalog)}, expected)

    def test_every_entry_is_translated_and_none_is_fuzzy(self) -> None:
        for language, catalog in _catalogs():
            with self.subTest(language=language):
                self.assertFalse(catalog.fuzzy, "the header is marked fuzzy")
                untranslated = [m.id for m in _messages(catalog) if m.fuzzy or not all(_strings(m))]
                self.assertEqual(untranslated, [], f"{len(untranslated)} entries untranslated or fuzzy")

    def test_each_language_has_its_plural_forms(self) -> None:
        for language, catalog in _catalogs():
            with self.subTest(language=language):
                self.assertEqual(catalog.num_plurals, NPLURALS[language])
                for message in _messages(catalog):
                    if message.pluralizable:
                        self.assertEqual(len(message.string), catalog.num_plurals, message.id)

    def test_translations_keep_the_placeholders(self) -> None:
        problems = []
        for language, catalog in _catalogs():
            for message in _messages(catalog):
                ids, strings = _ids(message), _strings(message)
                if not message.pluralizable:
                    if (_named(strings[0]), _positional(strings[0])) != (_named(ids[0]), _positional(ids[0])):
                        problems.append((language, strings[0]))
                    continue
                # A plural form may leave out a named number that it says in words ("تعليقان",
                # two comments) but may not invent one; a bare %d is always formatted, so
                # every form needs it. The last form serves most numbers and names them all.
                known = _named(ids[0]) | _named(ids[1])
                for form in strings:
                    if not _named(form) <= known or _positional(form) != _positional(ids[1]):
                        problems.append((language, form))
                if _named(strings[-1]) != _named(ids[1]):
                    problems.append((language, strings[-1]))
        self.assertEqual(problems, [])

    def test_translations_keep_the_markup(self) -> None:
        problems = []
        for language, catalog in _catalogs():
            for message in _messages(catalog):
                tags = sorted(TAG.findall(_ids(message)[0]))
                problems += [(language, form) for form in _strings(message) if sorted(TAG.findall(form)) != tags]
        self.assertEqual(problems, [])

    def test_every_catalog_compiles_without_gettext_and_gettext_reads_it(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            for po in po_files(LOCALE_DIR):
                language = po.parent.parent.name
                with self.subTest(language=language):
                    with compile_catalog(po, Path(tmp) / f"{language}.mo").open("rb") as f:
                        compiled = gettext.GNUTranslations(f)
                    # Every entry made it into the .mo, as the .po has it.
                    wrong = []
                    for message in _messages(read_catalog(po)):
                        if message.pluralizable:
                            read = {compiled.ngettext(*message.id, n) for n in range(200)}
                            if read != set(message.string):
                                wrong.append(message.id)
                        elif compiled.gettext(message.id) != message.string:
                            wrong.append(message.id)
                    self.assertEqual(wrong, [])

    def test_chinese_brings_djangos_own_strings_under_our_name_for_it(self) -> None:
        # Django names Chinese zh_Hans, our pages zh: the admin's strings are folded in as ours compile.
        admin = gettext.translation("django", DJANGO_DIR / "contrib" / "admin" / "locale", ["zh_Hans"])
        core = gettext.translation("django", DJANGO_DIR / "conf" / "locale", ["zh_Hans"])
        scripts = gettext.translation("djangojs", DJANGO_DIR / "contrib" / "admin" / "locale", ["zh_Hans"])
        po = LOCALE_DIR / "zh" / "LC_MESSAGES" / "django.po"
        with tempfile.TemporaryDirectory() as tmp:
            with compile_catalog(po, Path(tmp) / "django.mo").open("rb") as f:
                compiled = gettext.GNUTranslations(f)
            with (Path(tmp) / "djangojs.mo").open("rb") as f:
                compiled_scripts = gettext.GNUTranslations(f)
        for text in ("Site administration", "Log out", "Change password", "Recent actions"):
            self.assertEqual(compiled.gettext(text), admin.gettext(text))
            self.assertNotEqual(compiled.gettext(text), text)
        self.assertEqual(
            compiled.ngettext("%(num)d day", "%(num)d days", 3), core.ngettext("%(num)d day", "%(num)d days", 3)
        )
        self.assertEqual(compiled_scripts.gettext("Today"), scripts.gettext("Today"))
        # Where both translate a string, ours wins.
        ours = read_catalog(po).get("Page not found").string
        self.assertNotEqual(ours, core.gettext("Page not found"))
        self.assertEqual(compiled.gettext("Page not found"), ours)

    def test_other_languages_borrow_nothing(self) -> None:
        for language in ("fr", "es", "ar", "ru"):
            with self.subTest(language=language):
                self.assertEqual(catalogs.borrowed_catalogs(language, "django"), [])

    def test_only_missing_or_stale_catalogs_are_compiled(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            po = Path(tmp) / "fr" / "LC_MESSAGES" / "django.po"
            po.parent.mkdir(parents=True)
            shutil.copy(LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po", po)
            self.assertEqual(compile_stale(Path(tmp)), [po.with_suffix(".mo")])
            self.assertEqual(compile_stale(Path(tmp)), [])
            os.utime(po, (time.time() + 10, time.time() + 10))  # the .po edited after the build
            self.assertEqual(compile_stale(Path(tmp)), [po.with_suffix(".mo")])

    def test_a_malformed_catalog_stops_the_build_and_writes_nothing(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            po = Path(tmp) / "django.po"
            text = (LOCALE_DIR / "ar" / "LC_MESSAGES" / "django.po").read_text()
            # A seventh plural form where Arabic has six.
            po.write_text(text.replace('msgstr[5] "', 'msgstr[6] "', 1))
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                self.assertEqual(catalogs.main(["compile", str(po)]), 1)
            self.assertIn(str(po), stderr.getvalue())
            self.assertEqual(os.listdir(tmp), ["django.po"])

    def test_the_compiled_plural_rules_pick_each_form(self) -> None:
        comments = ("%(counter)s Comment", "%(counter)s Comments")
        # Numbers that land on each form in turn: Arabic zero, one, two, few, many, other...
        samples = {"fr": [1, 2], "es": [1, 2], "ar": [0, 1, 2, 3, 11, 100], "ru": [1, 2, 5], "zh": [1]}
        with tempfile.TemporaryDirectory() as tmp:
            for po in po_files(LOCALE_DIR):
                language = po.parent.parent.name
                with self.subTest(language=language):
                    with compile_catalog(po, Path(tmp) / f"{language}.mo").open("rb") as f:
                        compiled = gettext.GNUTranslations(f)
                    forms = [compiled.ngettext(*comments, n) for n in samples[language]]
                    self.assertEqual(forms, list(read_catalog(po)[comments[0]].string))

    def test_un_terms_use_the_uns_own_names(self) -> None:
        # A site about the UN says "Security Council" as the UN does in each language.
        about = "%(name)s reports on the United Nations"
        expected = {"fr": "Conseil de sécurité", "es": "Consejo de Seguridad", "ar": "مجلس الأمن"}
        expected |= {"ru": "Совете Безопасности", "zh": "安全理事会"}  # Russian: "in the Council"
        for language, catalog in _catalogs():
            message = next(m for m in _messages(catalog) if _ids(m)[0].startswith(about))
            with self.subTest(language=language):
                self.assertIn(expected[language], message.string)


class TranslatedPageTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(title="Council renews the mandate")

    def _page(self, language: str) -> str:
        """An article in `language`, at its own address (/fr/..., /ar/...; the default language's
        without a prefix), so the page's interface is in that language."""
        article = self.article
        if language != settings.LANGUAGE_CODE:
            article = make_article(title="Council renews the mandate", language=language)
        response = self.client.get(article.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_admin_speaks_chinese_to_a_chinese_browser(self) -> None:
        admin = gettext.translation("django", DJANGO_DIR / "contrib" / "admin" / "locale", ["zh_Hans"])
        self.client.force_login(make_editor())
        page = self.client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        self.assertContains(page, '<html lang="zh"')
        self.assertContains(page, admin.gettext("Log out"))
        self.assertContains(page, admin.gettext("Recent actions"))

    def test_the_article_page_is_in_english_by_default(self) -> None:
        page = self._page("en")
        self.assertIn('<html lang="en" dir="ltr">', page)
        self.assertIn("Add a comment", page)
        self.assertIn("Post comment", page)

    def test_the_article_page_speaks_french(self) -> None:
        page = self._page("fr")
        self.assertIn('<html lang="fr" dir="ltr">', page)
        self.assertIn("Ajouter un commentaire", page)
        self.assertIn("Publier le commentaire", page)
        # The comment form's field labels come from Python code (gettext_lazy in the form).
        self.assertRegex(page, r'<label for="[^"]*email"[^>]*>Courriel</label>')
        self.assertRegex(page, r'<label for="[^"]*text"[^>]*>Commentaire</label>')
        self.assertIn("Aller au contenu", page)  # the skip link, in the base template
        self.assertNotIn("Post comment", page)
        self.assertNotIn("Add a comment", page)
        # The article itself is not translated by the interface catalogs.
        self.assertIn("Council renews the mandate", page)

    def test_the_article_page_speaks_arabic_right_to_left(self) -> None:
        page = self._page("ar")
        self.assertIn('<html lang="ar" dir="rtl">', page)
        self.assertIn("أضف تعليقًا", page)
        self.assertIn("نشر التعليق", page)
        self.assertRegex(page, r'<label for="[^"]*text"[^>]*>التعليق</label>')
        self.assertIn("انتقل إلى المحتوى", page)
        self.assertNotIn("Post comment", page)

    def test_form_errors_come_in_the_readers_language(self) -> None:
        with translation.override("es"):
            url = reverse("comments:create", args=[self.article.pk])
            response = self.client.post(url, comment_data(text="   ", name=""))
        self.assertContains(response, "Escriba algo antes de publicar.", status_code=400)
        self.assertContains(response, "Escriba el nombre que se mostrará con su comentario.", status_code=400)
        self.assertNotContains(response, "Write something before posting.", status_code=400)
