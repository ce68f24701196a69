from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("article/<int:article_id>/", views.comment_list, name="list"),
    path("article/<int:article_id>/post/", views.comment_create, name="create"),
    path("<int:pk>/reply/", views.comment_reply, name="reply"),
    path("<int:pk>/vote/", views.comment_vote, name="vote"),
    path("<int:pk>/report/", views.comment_report, name="report"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
