from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("<int:year>/<int:month>/<int:day>/<str:slug>/", views.article_detail, name="detail"),
    path("tag/<str:slug>/", views.tag_detail, name="tag"),
    path("author/<slug:slug>/", views.author_detail, name="author"),
    path("column/<slug:slug>/", views.column_detail, name="column"),
    path("preview/<int:pk>/", views.article_preview, name="preview"),
    path("preview/<int:pk>/revision/<int:revision_id>/", views.revision_preview, name="preview-revision"),
    path("preview/share/<str:token>/", views.shared_preview, name="shared-preview"),
    path("corrections/", views.correction_list, name="corrections"),
]
