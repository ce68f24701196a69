"""A large synthetic newsroom for measuring pages at scale: `manage.py generate_fake_newsroom --articles 100000`.

Deterministic for a given --seed. Everything is written with bulk inserts in
one transaction (a failed run leaves nothing behind); block HTML is what
Block.save() would store (paragraphs, UN symbols linked; the sanitizer is
skipped because the text is our own, which halves the run), and the search
documents are filled by the database triggers as the blocks arrive. Then the tables are analysed so
the planner knows their new sizes.
"""

from __future__ import annotations

import datetime
import random
import time

import pgtrigger
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles import markup
from articles.models import Article, ArticleAuthor, Author, Block, Column, Tag, TaggedArticle
from articles.symbols import link_symbols

SEARCH_INSERT_TRIGGERS = ["articles.Article:search_insert", "articles.Block:search_insert"]
TAGS = {
    Tag.Kind.COUNTRY: [
        "Afghanistan",
        "Brazil",
        "Burkina Faso",
        "Central African Republic",
        "China",
        "Colombia",
        "Côte d'Ivoire",
        "Democratic Republic of the Congo",
        "Ethiopia",
        "France",
        "Haiti",
        "India",
        "Iran",
        "Iraq",
        "Israel",
        "Lebanon",
        "Libya",
        "Mali",
        "Mexico",
        "Myanmar",
        "Niger",
        "Nigeria",
        "North Korea",
        "Pakistan",
        "Russia",
        "Somalia",
        "South Sudan",
        "Sudan",
        "Syria",
        "Türkiye",
        "Ukraine",
        "United Kingdom",
        "United States",
        "Venezuela",
        "Yemen",
        "Palestine",
        "Cyprus",
        "Kosovo",
        "Western Sahara",
        "Bosnia and Herzegovina",
    ],
    Tag.Kind.UN_BODY: [
        "Security Council",
        "General Assembly",
        "Human Rights Council",
        "Secretariat",
        "UNICEF",
        "UNHCR",
        "World Food Programme",
        "WHO",
        "UNDP",
        "OCHA",
        "ECOSOC",
        "International Court of Justice",
        "UNESCO",
        "IAEA",
        "UNRWA",
    ],
    Tag.Kind.MISSION: [
        "MONUSCO",
        "UNMISS",
        "MINUSCA",
        "UNIFIL",
        "UNFICYP",
        "UNDOF",
        "MINURSO",
        "UNMIK",
        "UNAMA",
        "UNAMI",
        "UNSMIL",
        "BINUH",
    ],
    Tag.Kind.TOPIC: [
        "Peacekeeping",
        "Sanctions",
        "Climate",
        "Humanitarian aid",
        "Human rights",
        "Refugees",
        "Budget",
        "Appointments",
        "Reform",
        "Gender",
        "Nuclear weapons",
        "Counterterrorism",
        "Development",
        "Health",
        "Food security",
        "Elections",
        "Justice",
        "Migration",
        "Disarmament",
        "Oceans",
    ],
    Tag.Kind.PERSON: ["Secretary-General", "High Commissioner for Human Rights", "Special Envoys"],
    Tag.Kind.ORGANISATION: ["African Union", "European Union", "NATO", "ASEAN", "Arab League", "ICC"],
}
COLUMNS = [
    ("Inside the Secretariat", "A monthly column on who runs the UN."),
    ("Council Watch", "What the Security Council did this week and why."),
    ("Field Notes", "Reports from peace operations."),
    ("The Budget Line", "Following the money at the UN."),
    ("Rights Report", "Human rights, country by country."),
    ("Green Agenda", "Climate diplomacy and the environment."),
]
FIRST = [
    "Amina",
    "Jonas",
    "Lucía",
    "Kofi",
    "Mei",
    "Priya",
    "Omar",
    "Sofia",
    "Tomás",
    "Ingrid",
    "Rahel",
    "Yusuf",
    "Elena",
    "Chidi",
    "Hana",
    "Marek",
    "Leila",
    "Arjun",
    "Nadia",
    "Pablo",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Moreno",
    "Mensah",
    "Zhang",
    "Raman",
    "Haddad",
    "Rossi",
    "Ferreira",
    "Berg",
    "Tesfaye",
    "Demir",
    "Petrova",
    "Eze",
    "Sato",
    "Novak",
    "Karimi",
    "Iyer",
    "Aziz",
    "Ortega",
]
ACTORS = [
    "Security Council",
    "General Assembly",
    "Secretary-General",
    "UN envoy",
    "Human Rights Council",
    "The peacekeeping mission",
    "The aid chief",
    "The African Group",
    "The Council president",
    "A UN expert panel",
]
VERBS = [
    "extends",
    "debates",
    "condemns",
    "warns about",
    "renews",
    "questions",
    "backs",
    "delays",
    "reviews",
    "calls for action on",
]
OBJECTS = [
    "the mission mandate",
    "sanctions",
    "a ceasefire plan",
    "humanitarian access",
    "the budget",
    "election support",
    "a new resolution",
    "refugee returns",
    "the inquiry",
    "funding cuts",
]
SENTENCES = [
    "Diplomats said the vote followed weeks of negotiation behind closed doors.",
    "The draft text was circulated to members on Monday and revised twice before the meeting.",
    "Several delegations asked for a stronger reference to the protection of civilians.",
    "The Secretary-General's latest report, {symbol}, describes a worsening situation.",
    "Aid workers said access to the north remained limited by fighting and checkpoints.",
    "The resolution, adopted as {symbol}, renews the mandate for another twelve months.",
    "Critics argued that the mission lacked the resources to carry out its tasks.",
    "A spokesperson declined to comment on the talks, citing their sensitivity.",
    "The debate drew on the record of the previous meeting, {symbol}.",
    "Officials in Geneva and New York are expected to brief the Council again next month.",
    "Funding for the appeal stood at less than a third of what was requested.",
    "Human rights investigators documented dozens of cases in the reporting period.",
]


def render(text: str) -> str:
    """Block.save()'s HTML for our own plain paragraph text, without the sanitizer's cost."""
    return link_symbols(markup.paragraphs_from_text(text))


def _symbol(rng: random.Random, year: int) -> str:
    form = rng.randrange(4)
    if form == 0:
        return f"S/RES/{rng.randint(2500, 2750)} ({year})"
    if form == 1:
        return f"A/RES/{year - 1945}/{rng.randint(1, 320)}"
    if form == 2:
        return f"S/{year}/{rng.randint(1, 900)}"
    return f"A/{year - 1945}/PV.{rng.randint(1, 110)}"


class Command(BaseCommand):
    help = "Generate a large synthetic newsroom (articles, blocks, tags, authors, columns) with bulk inserts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=int, default=1000, help="How many articles (default 1000).")
        parser.add_argument("--authors", type=int, default=80, help="How many authors (default 80).")
        parser.add_argument("--extra-tags", type=int, default=100, help="Topic tags beyond the built-in list.")
        parser.add_argument("--years", type=int, default=6, help="Spread publish dates over this many years.")
        parser.add_argument("--blocks", type=int, default=4, help="Paragraphs per article (default 4).")
        parser.add_argument("--seed", type=int, default=4, help="Random seed: same seed, same newsroom.")
        parser.add_argument("--batch", type=int, default=2000, help="Rows per INSERT.")

    def handle(
        self, *, articles: int, authors: int, extra_tags: int, years: int, blocks: int, seed: int, batch: int, **options
    ) -> None:
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            tags = self._tags(extra_tags)
            columns = self._columns()
            people = self._authors(authors)
            # The search triggers would build each document twice (once for the
            # article, again with its blocks); switch them off for this
            # transaction and build each batch's documents once instead. The
            # tables stay locked until the commit, and a failed run rolls the
            # switch back with everything else.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                pgtrigger.disable(*SEARCH_INSERT_TRIGGERS)  # ALTER TABLE ... DISABLE TRIGGER
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            self._articles(
                rng, articles, tags=tags, columns=columns, people=people, years=years, blocks=blocks, batch=batch
            )
            with connection.cursor() as cursor:
                # Run the deferred foreign-key checks now: ALTER TABLE refuses
                # while trigger events are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                pgtrigger.enable(*SEARCH_INSERT_TRIGGERS)
        with connection.cursor() as cursor:
            for model in (Article, Block, TaggedArticle, ArticleAuthor):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            cursor.execute("VACUUM ANALYZE articles_searchdocument")
        self.stdout.write(f"Generated {articles} articles in {time.monotonic() - started:.1f} s.")

    def _tags(self, extra: int) -> list[Tag]:
        wanted = [(name, kind) for kind, names in TAGS.items() for name in names]
        wanted += [(f"Theme {n}", Tag.Kind.TOPIC) for n in range(1, extra + 1)]
        existing = {tag.slug: tag for tag in Tag.objects.filter(slug__in=[slugify(name) for name, _ in wanted])}
        new = [Tag(name=name, slug=slugify(name), kind=kind) for name, kind in wanted if slugify(name) not in existing]
        Tag.objects.bulk_create(new, batch_size=1000)
        by_slug = {**existing, **{tag.slug: tag for tag in new}}
        return [by_slug[slugify(name)] for name, _ in wanted]

    def _columns(self) -> list[Column]:
        return [
            Column.objects.get_or_create(slug=slugify(name), defaults={"name": name, "description": description})[0]
            for name, description in COLUMNS
        ]

    def _authors(self, count: int) -> list[Author]:
        names = [f"{first} {last}" for last in LAST for first in FIRST][:count]
        existing = {author.slug: author for author in Author.objects.filter(slug__in=[slugify(n) for n in names])}
        new = [
            Author(
                name=name,
                slug=slugify(name),
                role=["Correspondent", "Contributing writer", "Editor"][index % 3],
                bio=f"{name} covers the United Nations.",
            )
            for index, name in enumerate(names)
            if slugify(name) not in existing
        ]
        Author.objects.bulk_create(new, batch_size=1000)
        return sorted([*existing.values(), *new], key=lambda author: author.slug)

    def _articles(
        self,
        rng: random.Random,
        count: int,
        *,
        tags: list[Tag],
        columns: list[Column],
        people: list[Author],
        years: int,
        blocks: int,
        batch: int,
    ) -> None:
        now = timezone.now()
        span = years * 365 * 24 * 3600
        # Zipf-like popularity: a few tags (the Security Council, a big crisis) carry thousands of stories.
        tag_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(tags))]
        shuffled_tags = tags[:]
        rng.shuffle(shuffled_tags)
        author_weights = [1 / (rank + 1) ** 0.5 for rank in range(len(people))]
        start_id = (Article.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        kinds = (
            [Article.Kind.NEWS] * 6
            + [Article.Kind.ANALYSIS] * 2
            + [Article.Kind.INTERVIEW, Article.Kind.OPINION, Article.Kind.EXPLAINER]
        )
        for offset in range(0, count, batch):
            size = min(batch, count - offset)
            rows = []
            for i in range(size):
                n = start_id + offset + i
                published_at = now - datetime.timedelta(seconds=rng.randrange(span))
                roll = rng.random()
                status = Article.Status.PUBLISHED
                if roll < 0.02:
                    status, published_at = Article.Status.DRAFT, None
                elif roll < 0.03:
                    published_at = now + datetime.timedelta(hours=rng.randint(1, 240))  # embargoed
                place = rng.choice(TAGS[Tag.Kind.COUNTRY])
                title = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} in {place}"
                column = rng.choice(columns) if rng.random() < 0.12 else None
                rows.append(
                    Article(
                        title=title,
                        slug=f"{slugify(title)[:180]}-{n}",
                        kind=Article.Kind.COLUMN if column else rng.choice(kinds),
                        standfirst=f"{rng.choice(SENTENCES).format(symbol=_symbol(rng, 2024))} The story from {place}.",
                        column=column,
                        status=status,
                        published_at=published_at,
                        first_published_at=published_at,
                    )
                )
            created = Article.objects.bulk_create(rows)
            bylines, taggings, body = [], [], []
            for article in created:
                for position, author in enumerate(
                    dict.fromkeys(rng.choices(people, author_weights, k=1 if rng.random() < 0.8 else 2))
                ):
                    bylines.append(ArticleAuthor(article_id=article.pk, author_id=author.pk, position=position))
                for tag in dict.fromkeys(rng.choices(shuffled_tags, tag_weights, k=rng.randint(2, 5))):
                    taggings.append(TaggedArticle(content_object_id=article.pk, tag_id=tag.pk))
                year = (article.published_at or now).year
                for position in range(blocks):
                    text = " ".join(
                        rng.choice(SENTENCES).format(symbol=_symbol(rng, year)) for _ in range(rng.randint(3, 5))
                    )
                    body.append(
                        Block(
                            article_id=article.pk,
                            position=position,
                            kind=Block.Kind.PARAGRAPH,
                            text=text,
                            html=render(text),
                        )
                    )
            ArticleAuthor.objects.bulk_create(bylines)
            TaggedArticle.objects.bulk_create(taggings)
            Block.objects.bulk_create(body)
            with connection.cursor() as cursor:
                cursor.execute("SELECT articles_refresh_search_documents(%s)", [[article.pk for article in created]])
            self.stdout.write(f"  {offset + size} articles")
