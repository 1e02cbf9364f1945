from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from aftersales.api import endpoints
from aftersales.api.errors import NotFoundView
from aftersales.api.schema_views import OpenApiJsonView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
for prefix, viewset, basename in endpoints.registered():
    router.register(prefix, viewset, basename=basename)

app_name = "api"
urlpatterns = [
    path("openapi.json", OpenApiJsonView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    *endpoints.extra_urls(),
    # Last: whatever else ends in a slash is a JSON 404. Paths without the slash still go to
    # APPEND_SLASH's redirect first, as before.
    re_path(r"^.*/$", NotFoundView.as_view(), name="not_found"),
]
