from django.urls import path

from aftersales.core import i18n

app_name = "core"
urlpatterns = [
    path("language/", i18n.set_language, name="set_language"),
]
