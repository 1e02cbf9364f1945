from django.urls import path

from aftersales.core import views_pages

app_name = "core"
urlpatterns = [
    path("", views_pages.HomeView.as_view(), name="home"),
    path("language/", views_pages.set_language, name="set_language"),
]
