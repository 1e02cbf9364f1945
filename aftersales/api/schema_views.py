from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView


class OpenApiJsonView(SpectacularAPIView):
    """The OpenAPI description, always as JSON (at /api/v1/openapi.json), readable without
    signing in so that clients and tools can discover the API."""

    renderer_classes = [OpenApiJsonRenderer]
