"""The demo newsroom's translations (issue 20): French, Spanish and Arabic versions of demo stories.

Three stories have French and Spanish translations and one an Arabic one; the Spanish
translation of the Haiti story is outdated: it was made from an earlier version of
the original, which was updated afterwards (a third donor came forward), so the
admin shows it as outdated with the words that changed. Tags and columns get their
names in those languages. Idempotent, like devtools/demo_articles.py: a translation that
exists is left alone.
"""

from __future__ import annotations

import copy
import datetime
from typing import TextIO

from articles import workflow
from articles.models import Article, ArticleAuthor, Author, Block, Column, Revision, Tag

TRANSLATORS = [
    {"slug": "camille-roux", "name": "Camille Roux", "role": "Translator, French"},
    {"slug": "lucia-ferrer", "name": "Lucía Ferrer", "role": "Translator, Spanish"},
    {"slug": "rania-khoury", "name": "رانيا خوري", "role": "Translator, Arabic"},
]

TAG_NAMES = {
    "Security Council": {"fr": "Conseil de sécurité", "es": "Consejo de Seguridad", "ar": "مجلس الأمن"},
    "Peacekeeping": {"fr": "Maintien de la paix", "es": "Mantenimiento de la paz", "ar": "حفظ السلام"},
    "Humanitarian funding": {
        "fr": "Financement humanitaire",
        "es": "Financiación humanitaria",
        "ar": "التمويل الإنساني",
    },
    "UN appointments": {
        "fr": "Nominations à l'ONU",
        "es": "Nombramientos en la ONU",
        "ar": "التعيينات في الأمم المتحدة",
    },
    "South Sudan": {"fr": "Soudan du Sud", "es": "Sudán del Sur", "ar": "جنوب السودان"},
    "Haiti": {"fr": "Haïti", "es": "Haití", "ar": "هايتي"},
    "UNMISS": {"fr": "MINUSS", "ar": "بعثة الأمم المتحدة في جنوب السودان"},
    "BINUH": {"ar": "مكتب الأمم المتحدة المتكامل في هايتي"},
    "Lebanon": {"fr": "Liban", "es": "Líbano", "ar": "لبنان"},
    "UNIFIL": {"fr": "FINUL", "es": "FPNUL", "ar": "اليونيفيل"},
}

COLUMN_NAMES = {
    "corridor-moves": {"fr": "Dans les couloirs", "es": "Movimientos de pasillo", "ar": "في أروقة الأمم المتحدة"},
    "the-budget-line": {"fr": "La ligne budgétaire", "es": "La línea presupuestaria", "ar": "بند الميزانية"},
}

# The outdated Spanish translation comes before the French one: its earlier version of the original
# must be recorded before the current one, which the French translation is up to date with.
# Each body lists the original's blocks in order, translated: ("paragraph", text), ("heading", text),
# ("pull_quote", text, attribution). Photos are the original's.
TRANSLATIONS = [
    {
        "original": "council-extends-south-sudan-mission",
        "language": "fr",
        "slug": "le-conseil-prolonge-la-mission-au-soudan-du-sud",
        "translators": ["camille-roux"],
        "after": datetime.timedelta(hours=20),
        "title": "Le Conseil de sécurité prolonge d'un an la mission au Soudan du Sud, avec une abstention",
        "standfirst": (
            "Le renouvellement maintient les effectifs, mais demande à la mission de se préparer à des "
            "élections déjà reportées deux fois."
        ),
        "comment_prompt": "Que devrait faire la mission autrement au cours de l'année qui vient ?",
        "body": [
            (
                "paragraph",
                "Le Conseil de sécurité a renouvelé jeudi pour douze mois le mandat de la Mission des Nations "
                "Unies au Soudan du Sud, par 14 voix pour et une abstention, au terme de deux semaines de "
                "négociations que des diplomates ont jugées lentes, mais sans acrimonie.",
            ),
            (
                "paragraph",
                "La résolution maintient le plafond des effectifs militaires et de police, et demande en outre "
                "à la mission d'élaborer un plan d'appui aux élections nationales, si elles ont lieu. Plusieurs "
                "délégations ont souligné que la formulation était délibérément prudente : le scrutin a déjà "
                "été repoussé deux fois, et personne dans la salle ne voulait s'engager sur une date.",
            ),
            ("heading", "Ce qui change dans le texte"),
            (
                "paragraph",
                "L'essentiel du mandat est reconduit. Le nouveau texte demande un rapport tous les 90 jours "
                "au lieu de 120, et fait des sites de protection des civils une priorité <em>pendant toute "
                "période électorale</em>, une formule qu'un délégué a qualifiée de véritable nouvelle du jour.",
            ),
            (
                "pull_quote",
                "Nous avons renouvelé une mission, pas un calendrier. Le calendrier appartient aux Sud-Soudanais.",
                "Un diplomate du Conseil, sous couvert d'anonymat",
            ),
            (
                "paragraph",
                "Le membre qui s'est abstenu a dit soutenir le travail de la mission, mais s'est opposé à un "
                "paragraphe sur la surveillance des sanctions, qu'il jugeait hors du champ du mandat.",
            ),
        ],
    },
    {
        "original": "council-extends-south-sudan-mission",
        "language": "es",
        "slug": "el-consejo-prorroga-la-mision-en-sudan-del-sur",
        "translators": ["lucia-ferrer"],
        "after": datetime.timedelta(days=1),
        "title": "El Consejo de Seguridad prorroga un año la misión en Sudán del Sur, con una abstención",
        "standfirst": (
            "La renovación mantiene el número de efectivos, pero pide a la misión que se prepare para unas "
            "elecciones ya aplazadas dos veces."
        ),
        "comment_prompt": "¿Qué debería hacer distinto la misión en su próximo año?",
        "body": [
            (
                "paragraph",
                "El Consejo de Seguridad renovó el jueves por doce meses el mandato de la Misión de las "
                "Naciones Unidas en Sudán del Sur, con 14 votos a favor y una abstención, tras dos semanas de "
                "negociaciones que los diplomáticos describieron como lentas, pero sin acritud.",
            ),
            (
                "paragraph",
                "La resolución deja sin cambios el tope de tropas y policías, y añade una petición para que la "
                "misión elabore un plan de apoyo a las elecciones nacionales, si llegan a celebrarse. Varias "
                "delegaciones señalaron que la redacción era deliberadamente cautelosa: la votación ya se ha "
                "aplazado dos veces y nadie en la sala quería comprometerse con una fecha.",
            ),
            ("heading", "Qué cambia en el texto"),
            (
                "paragraph",
                "La mayor parte del mandato se mantiene. El nuevo texto pide informes cada 90 días en lugar de "
                "cada 120, y señala los emplazamientos de protección de civiles como una prioridad <em>durante "
                "cualquier periodo electoral</em>, una frase que un delegado calificó como la verdadera noticia "
                "del día.",
            ),
            (
                "pull_quote",
                "Renovamos una misión, no un calendario. El calendario les corresponde a los sursudaneses.",
                "Un diplomático del Consejo, que pidió no ser identificado",
            ),
            (
                "paragraph",
                "El miembro que se abstuvo dijo apoyar la labor de la misión, pero objetó un párrafo sobre la "
                "vigilancia de las sanciones, que consideraba ajeno al alcance del mandato.",
            ),
        ],
    },
    {
        "original": "council-extends-south-sudan-mission",
        "language": "ar",
        "slug": "majlis-al-amn-yumaddid-wilayat-baathat-janub-al-sudan",
        "translators": ["rania-khoury"],
        "after": datetime.timedelta(days=2),
        "title": "مجلس الأمن يمدد ولاية البعثة في جنوب السودان عاماً آخر مع امتناع عضو واحد عن التصويت",
        "standfirst": ("يُبقي التجديد على عدد القوات دون تغيير، لكنه يطلب من البعثة الاستعداد لانتخابات أُرجئت مرتين."),
        "comment_prompt": "ما الذي ينبغي للبعثة أن تفعله على نحو مختلف في عامها المقبل؟",
        "body": [
            (
                "paragraph",
                "جدّد مجلس الأمن يوم الخميس ولاية بعثة الأمم المتحدة في جنوب السودان لمدة اثني عشر شهراً، "
                "بأغلبية 14 صوتاً وامتناع عضو واحد عن التصويت، بعد أسبوعين من المفاوضات وصفها دبلوماسيون "
                "بأنها كانت بطيئة لكنها خلت من الحدة.",
            ),
            (
                "paragraph",
                "يُبقي القرار على الحد الأقصى لعدد الجنود وأفراد الشرطة كما هو، ويطلب من البعثة أيضاً أن تضع "
                "خطة لدعم الانتخابات الوطنية إن أُجريت. وقالت عدة وفود إن الصياغة جاءت حذرة عن قصد، إذ أُرجئ "
                "الاقتراع مرتين، ولم يرغب أحد في القاعة في الالتزام بموعد محدد.",
            ),
            ("heading", "ما الذي تغيّر في النص"),
            (
                "paragraph",
                "يُبقي النص الجديد على معظم بنود الولاية، لكنه يطلب تقديم تقرير كل 90 يوماً بدلاً من 120، "
                "ويجعل مواقع حماية المدنيين أولوية <em>خلال أي فترة انتخابية</em>، وهي عبارة وصفها أحد "
                "المندوبين بأنها الخبر الحقيقي في ذلك اليوم.",
            ),
            (
                "pull_quote",
                "جدّدنا ولاية بعثة، لا جدولاً زمنياً. فالجدول الزمني ملك لأبناء جنوب السودان.",
                "دبلوماسي في المجلس، طلب عدم الكشف عن هويته",
            ),
            (
                "paragraph",
                "وقال العضو الممتنع إنه يدعم عمل البعثة، لكنه اعترض على فقرة تتعلق برصد العقوبات، رأى أنها "
                "تتجاوز نطاق الولاية.",
            ),
        ],
    },
    {
        "original": "haiti-office-new-funding-appeal",
        "language": "es",
        "slug": "la-oficina-de-la-onu-en-haiti-lanza-un-nuevo-llamamiento",
        "translators": ["lucia-ferrer"],
        "after": datetime.timedelta(hours=22),
        # Translated from the first version of the original, before a third donor came forward.
        "from_earlier_version": {
            "block": 2,
            "text": (
                "Two donors have announced new money since the appeal was published. None has said how much "
                "of it is new, rather than moved from other budget lines."
            ),
        },
        "title": "La oficina de la ONU en Haití lanza un nuevo llamamiento ante la falta de compromisos",
        "standfirst": (
            "Ha llegado menos de un tercio de lo solicitado este año, según la oficina, con la temporada de "
            "huracanes por delante."
        ),
        "body": [
            (
                "paragraph",
                "La oficina integrada de las Naciones Unidas en Haití publicó el viernes un llamamiento "
                "revisado, que reduce su petición en una quinta parte y pide a los donantes que den prioridad "
                "al agua, los materiales para refugios y los salarios del personal local que dirige sus "
                "programas comunitarios.",
            ),
            (
                "paragraph",
                "Los responsables explicaron que la cifra más baja responde a un criterio de realismo y no a "
                "una disminución de las necesidades. «Nos preguntamos qué podíamos hacer de verdad en seis "
                "meses», nos dijo un responsable de programas, «y eso es lo que pusimos por escrito».",
            ),
            (
                "paragraph",
                "Dos donantes han anunciado nuevos fondos desde la publicación del llamamiento. Ninguno ha "
                "precisado qué parte es realmente nueva y qué parte procede de otras partidas presupuestarias.",
            ),
        ],
    },
    {
        "original": "haiti-office-new-funding-appeal",
        "language": "fr",
        "slug": "le-bureau-de-l-onu-en-haiti-lance-un-nouvel-appel",
        "translators": ["camille-roux"],
        "after": datetime.timedelta(hours=18),
        "title": "Le bureau de l'ONU en Haïti lance un nouvel appel, faute de promesses suffisantes",
        "standfirst": (
            "Moins d'un tiers de la demande de cette année a été versé, indique le bureau, à l'approche de la "
            "saison des ouragans."
        ),
        "body": [
            (
                "paragraph",
                "Le bureau intégré des Nations Unies en Haïti a publié vendredi un appel révisé, qui réduit sa "
                "demande d'un cinquième et invite les donateurs à donner la priorité à l'eau, aux matériaux "
                "d'abri et aux salaires du personnel local chargé de ses programmes communautaires.",
            ),
            (
                "paragraph",
                "Selon des responsables, ce montant plus modeste traduit un souci de réalisme plutôt qu'une "
                "baisse des besoins. « Nous nous sommes demandé ce que nous pouvions réellement accomplir en "
                "six mois, nous a expliqué un responsable de programme, et nous l'avons mis par écrit. »",
            ),
            (
                "paragraph",
                "Trois donateurs ont annoncé de nouveaux fonds depuis la publication de l'appel. Aucun n'a "
                "précisé quelle part en était réellement nouvelle, plutôt que prélevée sur d'autres lignes "
                "budgétaires.",
            ),
        ],
    },
    {
        "original": "lebanon-border-force-quieter-month",
        "language": "fr",
        "slug": "liban-la-force-de-l-onu-signale-un-mois-plus-calme",
        "translators": ["camille-roux"],
        "after": datetime.timedelta(hours=6),
        "title": (
            "Au Liban, la force frontalière de l'ONU fait état d'un mois plus calme, mais s'inquiète de son "
            "propre financement"
        ),
        "standfirst": (
            "Les patrouilles ont repris leurs itinéraires habituels ; l'entretien, lui, n'a pas suivi, selon "
            "le porte-parole de la mission."
        ),
        "body": [
            (
                "paragraph",
                "La force des Nations Unies dans le sud du Liban a indiqué qu'en septembre, les incidents le "
                "long de la ligne qu'elle surveille étaient tombés à leur plus bas niveau de l'année, et que "
                "la plupart des patrouilles avaient repris les itinéraires suspendus pendant l'été.",
            ),
            (
                "paragraph",
                "Lors du même point de presse, un porte-parole a précisé qu'un quart des véhicules de la "
                "mission auraient déjà dû passer en révision, et que les commandes de pièces détachées avaient "
                "été reportées au prochain exercice budgétaire.",
            ),
        ],
    },
    {
        "original": "lebanon-border-force-quieter-month",
        "language": "es",
        "slug": "libano-la-fuerza-de-la-onu-informa-de-un-mes-mas-tranquilo",
        "translators": ["lucia-ferrer"],
        "after": datetime.timedelta(hours=9),
        "title": (
            "La fuerza de la ONU en la frontera libanesa informa de un mes más tranquilo, pero advierte sobre "
            "su propia financiación"
        ),
        "standfirst": (
            "Las patrullas han vuelto a sus rutas habituales; el mantenimiento no, según el portavoz de la misión."
        ),
        "body": [
            (
                "paragraph",
                "La fuerza de las Naciones Unidas en el sur del Líbano afirmó que en septiembre los incidentes "
                "a lo largo de la línea que vigila cayeron a su nivel más bajo del año, y que la mayoría de las "
                "patrullas habían retomado las rutas suspendidas durante el verano.",
            ),
            (
                "paragraph",
                "En la misma rueda de prensa, un portavoz dijo que una cuarta parte de los vehículos de la "
                "misión tenía una revisión atrasada y que los pedidos de piezas de repuesto se habían aplazado "
                "al próximo periodo presupuestario.",
            ),
        ],
    },
]


def _source_revisions(original: Article, earlier: dict | None) -> tuple[Revision, Revision]:
    """(the revision a translation was made from, the original's newest live revision). With `earlier`,
    the first is the original as it was before one block was updated, recorded before the current one."""
    current = Revision.objects.filter(article=original, is_live=True).order_by("-id").first()
    if earlier is None:
        current = current or workflow.record_revision(original, by=None, note="Demo")
        return current, current
    data = copy.deepcopy(workflow.snapshot(original))
    data["blocks"][earlier["block"]]["text"] = earlier["text"]
    first = workflow.record_revision(original, by=None, note="Demo: first version", data=data)
    return first, workflow.record_revision(original, by=None, note="Demo: a third donor")


def _make_translation(spec: dict, stdout: TextIO) -> bool:
    if Article.objects.filter(slug=spec["slug"]).exists():
        return False
    original = Article.objects.filter(slug=spec["original"]).first()
    if original is None:
        return False
    source, _newest = _source_revisions(original, spec.get("from_earlier_version"))
    published_at = original.published_at + spec["after"]
    article = Article.objects.create(
        slug=spec["slug"],
        title=spec["title"],
        standfirst=spec["standfirst"],
        kind=original.kind,
        column=original.column,
        lead_photo=original.lead_photo,
        comment_prompt=spec.get("comment_prompt", ""),
        language=spec["language"],
        translation_of=original,
        translation_source=source,
        translation_synced_at=published_at,
        status=Article.Status.PUBLISHED,
        published_at=published_at,
        first_published_at=published_at,
    )
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=article, author_id=byline.author_id, position=byline.position)
        for byline in ArticleAuthor.objects.filter(article=original)
    )
    article.translators.set(Author.objects.filter(slug__in=spec["translators"]))
    article.tags.add(*original.tags.all())
    texts = iter(spec["body"])
    for block in original.blocks.order_by("position", "id"):
        copy_of = Block(
            article=article, position=block.position, kind=block.kind, photo_id=block.photo_id, size=block.size
        )
        if block.kind != Block.Kind.PHOTO:
            item = next(texts)
            copy_of.text = item[1]
            copy_of.attribution = item[2] if len(item) > 2 else ""
        copy_of.save()
    workflow.record_revision(article, by=None, note="Demo")
    stdout.write(f"  translation ({spec['language']}): {article.title}\n")
    return True


def load(stdout: TextIO) -> None:
    """Translators, translated vocabulary and the translated stories. Call inside demo.load's transaction."""
    for fields in TRANSLATORS:
        Author.objects.get_or_create(slug=fields["slug"], defaults=fields)
    for name, names in TAG_NAMES.items():
        Tag.objects.filter(name=name, names={}).update(names=names)
    for slug, names in COLUMN_NAMES.items():
        Column.objects.filter(slug=slug, names={}).update(names=names)
    created = sum(_make_translation(spec, stdout) for spec in TRANSLATIONS)
    stdout.write(f"Translations: {created} created, {len(TRANSLATIONS) - created} already there.\n")
