"""What search engines and social networks read about an article.

Built from an article loaded with `Article.objects.for_page()`: no query here.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.safestring import SafeString, mark_safe

from articles import translations
from articles.models import Article, Photo

# Inside <script> the HTML parser only looks for "</script" (and "<!--"), so
# escaping <, > and & in the JSON text keeps any headline inside its element.
# U+2028/2029 are escaped too so the text is also valid JavaScript.
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


def absolute(url: str) -> str:
    """An absolute address for a site-relative URL, from SITE_URL."""
    if url.startswith(("https://", "http://")):
        return url
    return f"{settings.SITE_URL}{url}"


def canonical_url(article: Article) -> str:
    """The original's address for syndicated pieces, else our permalink."""
    return article.canonical_url or absolute(article.get_absolute_url())


def largest_rendition(photo: Photo, fmt: str = "jpeg") -> tuple[str, int, int]:
    """(url, width, height) of the biggest JPEG rendition, or of the original."""
    renditions = (photo.renditions or {}).get(fmt) or []
    if renditions and photo.width:
        width, path = renditions[-1]
        return default_storage.url(path), int(width), round(int(width) * photo.height / photo.width)
    return photo.image.url, photo.width, photo.height


def share_image(article: Article) -> dict[str, Any] | None:
    photo = article.social_image or article.lead_photo
    if photo is None:
        return None
    url, width, height = largest_rendition(photo)
    return {"url": absolute(url), "width": width, "height": height, "alt": photo.alt_text}


def iso(value: datetime.datetime | None) -> str:
    """ISO 8601 to the second, as HTML's <time datetime> and schema.org want it."""
    return value.replace(microsecond=0).isoformat() if value else ""


def json_ld(data: Any) -> SafeString:
    """JSON text safe to put inside <script type="application/ld+json">, whatever it contains."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES))


def _work(member: Article) -> dict[str, Any]:
    """Another published member of the article's translation group, for translationOfWork/workTranslation."""
    url = absolute(member.get_absolute_url())
    return {"@type": "NewsArticle", "@id": url, "url": url, "inLanguage": member.language}


def news_article(article: Article, *, image: dict[str, Any] | None, url: str) -> dict[str, Any]:
    """schema.org NewsArticle for the page."""
    authors = []
    for author in article.authors.all():
        person: dict[str, Any] = {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
        if author.photo_id:
            person["image"] = absolute(largest_rendition(author.photo)[0])
        authors.append(person)
    modified = article.modified_for_readers
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.description,
        "datePublished": iso(article.published_at) or None,
        "dateModified": iso(modified) or None,
        "author": authors,
        "publisher": {
            "@type": "Organization",
            "name": settings.SITE_NAME,
            "url": settings.SITE_URL + "/",
            "logo": {"@type": "ImageObject", "url": absolute(static("img/favicon.svg"))},
        },
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
    }
    if image:
        data["image"] = [
            {"@type": "ImageObject", "url": image["url"], "width": image["width"], "height": image["height"]}
        ]
    data["inLanguage"] = article.language
    group = getattr(article, "published_group", [])
    if article.translation_of_id:
        original = next((m for m in group if m.pk == article.translation_of_id), None)
        if original is not None:
            data["translationOfWork"] = _work(original)
    else:
        translations = [_work(m) for m in group if m.translation_of_id == article.pk]
        if translations:
            data["workTranslation"] = translations
    translators = [
        {"@type": "Person", "name": author.name, "url": absolute(author.get_absolute_url())}
        for author in getattr(article, "translator_list", [])
    ]
    if translators:
        data["translator"] = translators
    if article.column_id:
        data["articleSection"] = article.column.localized_name
    keywords = [tag.localized_name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    return {key: value for key, value in data.items() if value is not None}


def page_metadata(article: Article) -> dict[str, Any]:
    """Everything the <head> of the article page says about it."""
    url = canonical_url(article)
    image = share_image(article)
    modified = article.modified_for_readers
    return {
        "title": article.title,
        "description": article.description,
        "canonical": url,
        "image": image,
        "modified": modified,
        "json_ld": json_ld(news_article(article, image=image, url=url)),
        # hreflang links to the published translations (and x-default); none for a lone article.
        "alternates": translations.alternates(getattr(article, "published_group", [])),
    }
