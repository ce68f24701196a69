"""Languages and translation links from Polylang and WPML exports (issue 20), hostile ones included."""

from django.test import SimpleTestCase, override_settings

from articles.models import Article
from tests.wordpress import exports
from tests.wordpress.test_import_wordpress import ImportTestCase
from wordpress import languages


def php(value) -> str:
    """PHP's serialize() for strings, integers and dicts (string lengths in bytes, as PHP counts)."""
    if isinstance(value, bool):
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, str):
        return f's:{len(value.encode())}:"{value}";'
    return f"a:{len(value)}:{{" + "".join(php(k) + php(v) for k, v in value.items()) + "}"


def term(taxonomy: str, slug: str, name: str, description: str) -> str:
    return f"""
<wp:term>
  <wp:term_id>{next(exports._ids)}</wp:term_id>
  <wp:term_taxonomy>{taxonomy}</wp:term_taxonomy>
  <wp:term_slug>{exports.cdata(slug)}</wp:term_slug>
  <wp:term_parent>{exports.cdata("")}</wp:term_parent>
  <wp:term_name>{exports.cdata(name)}</wp:term_name>
  <wp:term_description>{exports.cdata(description)}</wp:term_description>
</wp:term>"""


def polylang_language(slug: str, name: str, locale: str) -> str:
    return term("language", slug, name, php({"locale": locale, "rtl": 0, "flag_code": slug}))


def polylang_group(name: str, posts: dict[str, int]) -> str:
    return term("post_translations", name, name, php(posts))


def polylang_post(post_id: str, language: str, group: str = "", categories_extra=(), **fields) -> str:
    categories = [("language", language, language.upper()), *((d, n, n) for d, n in categories_extra)]
    if group:
        categories.append(("post_translations", group, group))
    return exports.item(post_id=post_id, categories=categories, **fields)


def wpml_post(post_id: str, language: str, *, group: str = "", source: str = "", **fields) -> str:
    meta = {"_wpml_import_language_code": language}
    if group:
        meta.update({"_wpml_import_translation_group": group, "_wpml_import_source_language_code": source})
    return exports.item(post_id=post_id, meta={**meta, **fields.pop("meta", {})}, **fields)


LANGUAGES = [
    polylang_language("en", "English", "en_US"),
    polylang_language("fr", "Français", "fr_FR"),
    polylang_language("es", "Español", "es_ES"),
    polylang_language("zh", "中文 (中国)", "zh_CN"),
    polylang_language("de", "Deutsch", "de_DE"),
]


class PolylangTests(ImportTestCase):
    def reasons(self, report, kind: str) -> list[str]:
        return [f"{r['reason']} [{', '.join(r['examples'])}]" for r in report.to_dict()["reasons"] if r["kind"] == kind]

    def test_posts_keep_their_language_and_join_their_original(self) -> None:
        parts = [
            exports.author(),
            *LANGUAGES,
            polylang_group("pll_5f1a2b", {"en": 101, "fr": 102, "es": 103}),
            polylang_post("101", "en", "pll_5f1a2b", title="Council renews the Mali mission"),
            polylang_post("102", "fr", "pll_5f1a2b", title="Le Conseil renouvelle la mission au Mali"),
            polylang_post("103", "es", "pll_5f1a2b", title="El Consejo renueva la misión en Malí"),
            polylang_post("104", "zh", title="安理会延长马里特派团任务期限"),
        ]
        report = self.run_import(*parts)
        original, french, spanish, chinese = (self.article(i) for i in ("101", "102", "103", "104"))
        self.assertEqual(
            [a.language for a in (original, french, spanish, chinese)],
            ["en", "fr", "es", "zh"],
        )
        self.assertIsNone(original.translation_of_id)
        self.assertEqual(french.translation_of_id, original.pk)
        self.assertEqual(spanish.translation_of_id, original.pk)
        self.assertIsNone(chinese.translation_of_id)
        self.assertEqual(report.count("translation", "created"), 2)
        # The language and group terms are read, not imported as tags.
        self.assertIn("give posts their language and translations", "\n".join(self.reasons(report, "term")))
        # The same export again changes nothing.
        again = self.run_import(*parts)
        self.assertEqual(again.count("translation", "unchanged"), 2)
        self.assertEqual(again.count("translation", "created"), 0)
        self.assertEqual(Article.objects.count(), 4)

    def test_a_dry_run_reports_the_links_and_writes_nothing(self) -> None:
        report = self.run_import(
            *LANGUAGES,
            polylang_post("101", "en", "pll_a"),
            polylang_post("102", "fr", "pll_a"),
            dry_run=True,
        )
        self.assertEqual(report.count("translation", "created"), 1)
        self.assertFalse(Article.objects.exists())

    def test_a_link_to_a_post_missing_from_the_export_is_named(self) -> None:
        report = self.run_import(
            *LANGUAGES,
            polylang_group("pll_b", {"en": 101, "fr": 999}),
            polylang_post("101", "en", "pll_b"),
        )
        self.assertEqual(self.article("101").language, "en")
        (reason,) = self.reasons(report, "translation")
        self.assertIn("names post 999 (fr), which is not in the export", reason)
        self.assertIn("Polylang pll_b", reason)

    def test_two_posts_claiming_one_language_in_a_group(self) -> None:
        report = self.run_import(
            *LANGUAGES,
            # The group's own map names 105 as its French post, though 104 comes first in the file.
            polylang_group("pll_c", {"en": 103, "fr": 105}),
            polylang_post("103", "en", "pll_c"),
            polylang_post("104", "fr", "pll_c", title="Première version"),
            polylang_post("105", "fr", "pll_c", title="Version retenue"),
        )
        original = self.article("103")
        self.assertEqual(self.article("105").translation_of_id, original.pk)
        left_out = self.article("104")
        self.assertIsNone(left_out.translation_of_id)
        self.assertEqual(left_out.language, "fr")  # still French, only not joined
        (reason,) = self.reasons(report, "translation")
        self.assertIn("already has 105 (line", reason)
        self.assertIn("[104 (line", reason)

    def test_without_a_map_the_first_post_in_a_language_stays(self) -> None:
        self.run_import(
            *LANGUAGES,
            polylang_post("103", "en", "pll_d"),
            polylang_post("104", "fr", "pll_d"),
            polylang_post("105", "fr", "pll_d"),
        )
        self.assertEqual(self.article("104").translation_of_id, self.article("103").pk)
        self.assertIsNone(self.article("105").translation_of_id)

    def test_a_language_the_site_does_not_offer_falls_back_with_a_message(self) -> None:
        report = self.run_import(
            *LANGUAGES,
            polylang_post("101", "en", "pll_e"),
            polylang_post("102", "de", "pll_e", title="Der Rat verlängert das Mandat"),
            polylang_post("103", "fr", "pll_e"),
        )
        german = self.article("102")
        self.assertEqual(german.language, "en")
        self.assertIsNone(german.translation_of_id)  # not joined as if it were English
        self.assertEqual(self.article("103").translation_of_id, self.article("101").pk)
        (language_reason,) = self.reasons(report, "language")
        self.assertIn("its language 'de' is not offered here", language_reason)
        self.assertIn("imported in en", language_reason)
        self.assertIn("[102 (line", language_reason)
        self.assertTrue(any("stays out of Polylang pll_e" in r for r in self.reasons(report, "translation")))

    @override_settings(LANGUAGES=[("en", "English"), ("fr", "French")])
    def test_only_the_offered_languages_count(self) -> None:
        report = self.run_import(*LANGUAGES, polylang_post("101", "es"))
        self.assertEqual(self.article("101").language, "en")
        self.assertEqual(report.count("language", "skipped"), 1)

    def test_a_hostile_group_description_is_ignored_and_the_links_still_made(self) -> None:
        report = self.run_import(
            *LANGUAGES,
            term("post_translations", "pll_f", "pll_f", 'O:8:"stdClass":1:{s:2:"en";i:101;}'),
            polylang_post("101", "en", "pll_f"),
            polylang_post("102", "fr", "pll_f"),
        )
        self.assertEqual(self.article("102").translation_of_id, self.article("101").pk)
        self.assertEqual(report.count("translation", "created"), 1)

    def test_the_original_is_the_default_language_post_whatever_the_order(self) -> None:
        self.run_import(
            *LANGUAGES,
            polylang_post("102", "fr", "pll_g"),
            polylang_post("101", "en", "pll_g"),
        )
        self.assertEqual(self.article("102").translation_of_id, self.article("101").pk)


class PolylangTermTests(ImportTestCase):
    """Polylang's translated categories and tags become one tag named in each language."""

    def parts(self) -> list[str]:
        return [
            *LANGUAGES,
            exports.category("security", "Security", term_id="11"),
            exports.category("securite", "Sécurité", term_id="12"),
            exports.tag("haiti", "Haiti", term_id="21"),
            exports.tag("haiti-fr", "Haïti", term_id="22"),
            exports.tag("mali-fr", "Mali (fr)", term_id="23"),  # its English term is not in the export
            # WordPress writes these custom terms after the categories and tags they join.
            term("term_translations", "pll_t1", "pll_t1", php({"en": 11, "fr": 12})),
            term("term_translations", "pll_t2", "pll_t2", php({"en": 21, "fr": 22})),
            term("term_translations", "pll_t3", "pll_t3", php({"en": 99, "fr": 23})),
            polylang_post("101", "en", categories_extra=[("category", "security"), ("post_tag", "haiti")]),
            polylang_post("102", "fr", categories_extra=[("category", "securite"), ("post_tag", "haiti-fr")]),
        ]

    def test_a_translated_term_is_the_original_tag_name_in_that_language(self) -> None:
        report = self.run_import(*self.parts())
        from articles.models import Tag

        security = Tag.objects.get(slug="security")
        self.assertEqual(security.names, {"fr": "Sécurité"})
        self.assertEqual(Tag.objects.get(slug="haiti").names, {"fr": "Haïti"})
        self.assertFalse(Tag.objects.filter(slug__in=["securite", "haiti-fr"]).exists())
        self.assertTrue(Tag.objects.filter(slug="mali-fr").exists())  # nothing to join: a tag of its own
        french = self.article("102")
        self.assertEqual(set(french.tags.values_list("slug", flat=True)), {"security", "haiti"})
        self.assertIn("a translation of Security: kept as its name in fr", str(report.to_dict()["reasons"]))
        again = self.run_import(*self.parts())
        self.assertEqual(Tag.objects.count(), 3)
        self.assertEqual(again.count("category", "updated"), 0)


class WPMLTests(ImportTestCase):
    def test_the_export_and_import_fields_give_language_group_and_original(self) -> None:
        report = self.run_import(
            # A French original translated into English: the source language says which is which.
            wpml_post("201", "fr", group="post_201", title="Entretien avec la Représentante spéciale"),
            wpml_post("202", "en", group="post_201", source="fr", title="Interview with the Special Representative"),
            wpml_post("203", "zh-hans", group="post_201", source="fr", title="专访特别代表"),
        )
        original, english, chinese = (self.article(i) for i in ("201", "202", "203"))
        self.assertEqual((original.language, english.language, chinese.language), ("fr", "en", "zh"))
        self.assertIsNone(original.translation_of_id)
        self.assertEqual(english.translation_of_id, original.pk)
        self.assertEqual(chinese.translation_of_id, original.pk)
        self.assertEqual(report.count("translation", "created"), 2)

    def test_a_duplicate_joins_its_original_and_a_missing_original_is_named(self) -> None:
        report = self.run_import(
            exports.item(post_id="301", title="Council renews the mission"),
            exports.item(post_id="302", meta={"wpml_language": "es", "_icl_lang_duplicate_of": "301"}),
            exports.item(post_id="303", meta={"wpml_language": "ru", "_icl_lang_duplicate_of": "999"}),
        )
        self.assertEqual(self.article("302").language, "es")
        self.assertEqual(self.article("302").translation_of_id, self.article("301").pk)
        self.assertEqual(self.article("303").language, "ru")
        self.assertIsNone(self.article("303").translation_of_id)
        reasons = [r for r in report.to_dict()["reasons"] if r["kind"] == "translation"]
        self.assertEqual(len(reasons), 1)
        self.assertIn("a WPML duplicate of post 999, which is not in the export", reasons[0]["reason"])

    def test_a_link_the_database_refuses_is_reported_not_fatal(self) -> None:
        # An editor already made a French translation of the original here; the export brings another.
        self.run_import(wpml_post("401", "en", group="g"))
        original = self.article("401")
        Article.objects.create(
            title="Traduction maison", slug="traduction-maison", language="fr", translation_of=original
        )
        report = self.run_import(wpml_post("401", "en", group="g"), wpml_post("402", "fr", group="g", source="en"))
        self.assertIsNone(self.article("402").translation_of_id)
        (failure,) = [r for r in report.to_dict()["reasons"] if r["kind"] == "translation"]
        self.assertEqual(failure["outcome"], "failed")
        self.assertIn("cannot be linked to 401", failure["reason"])


class PHPArrayTests(SimpleTestCase):
    def test_it_reads_arrays_of_scalars(self) -> None:
        self.assertEqual(
            languages.php_array('a:3:{s:6:"locale";s:5:"zh_CN";s:3:"rtl";i:0;s:4:"name";s:6:"中文";}'),
            {"locale": "zh_CN", "rtl": 0, "name": "中文"},
        )
        self.assertEqual(
            languages.translation_map(php({"en": 12, "fr": "14", "sync": {"a": 1}, "x y": 3})), {"en": "12", "fr": "14"}
        )

    def test_it_refuses_objects_references_and_damage(self) -> None:
        for text in (
            'O:8:"stdClass":0:{}',
            'a:1:{s:1:"a";O:8:"stdClass":0:{}}',
            'a:1:{s:1:"a";R:1;}',
            'a:1:{s:5:"ab";i:1;}',  # wrong length
            'a:2:{s:1:"a";i:1;}',  # fewer entries than it says
            'a:1:{s:1:"a";i:1;}trailing',
            "a:1:{" * 10 + "}" * 10,
            "",
            "a:" + "9" * 30,
        ):
            with self.subTest(text=text[:30]):
                self.assertIsNone(languages.php_array(text))

    def test_language_codes_map_to_the_offered_ones(self) -> None:
        self.assertEqual(languages.language_code("zh-hans"), "zh")
        self.assertEqual(languages.language_code("cn", "zh_CN"), "zh")
        self.assertEqual(languages.language_code("ar", "es_AR"), "es")  # the locale decides
        self.assertEqual(languages.language_code("ar", "ar"), "ar")
        self.assertEqual(languages.language_code("FR"), "fr")
        self.assertIsNone(languages.language_code("pt-br", "pt_BR"))
