from django.urls import path, register_converter

from articles import feeds, views
from articles.slugs import SlugConverter

# Slugs in any script, and any slug the database holds (articles/slugs.py).
register_converter(SlugConverter, "uslug")

app_name = "articles"

urlpatterns = [
    path("<int:year>/<int:month>/<int:day>/<uslug:slug>/", views.article_detail, name="detail"),
    path("b/<int:pk>/<str:signature>.gif", views.article_beacon, name="beacon"),
    path("<int:year>/", views.archive_year, name="archive-year"),
    path("<int:year>/<int:month>/", views.archive_month, name="archive-month"),
    path("tag/<uslug:slug>/", views.tag_detail, name="tag"),
    path("tag/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tag/<uslug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("author/<uslug:slug>/", views.author_detail, name="author"),
    path("author/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("author/<uslug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("column/<uslug:slug>/", views.column_detail, name="column"),
    path("column/<uslug:slug>/feed/", feeds.ColumnFeed(), name="column-feed"),
    path("column/<uslug:slug>/feed/atom/", feeds.ColumnAtomFeed(), name="column-feed-atom"),
    path("documents/<path:symbol>/", views.document_detail, name="document"),
    path("search/", views.search_results, name="search"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
    path("sitemap.xml", views.sitemap_index, name="sitemap-index"),
    path("sitemap-news.xml", views.sitemap_news, name="sitemap-news"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("preview/<int:pk>/revision/<int:revision_id>/", views.revision_preview, name="preview-revision"),
    path("preview/share/<str:token>/", views.shared_preview, name="shared-preview"),
    path("corrections/", views.correction_list, name="corrections"),
]
