from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    # First: URLs are tried in order, and the API's clients call far more often than people
    # click (each include tried before cost a registration ~0.2 ms: bench requests.create).
    path("api/v1/", include("aftersales.api.urls")),
    path("", include("aftersales.dashboard.urls")),
    path("", include("aftersales.core.urls")),
    path("accounts/", include("aftersales.accounts.urls")),
    path("organisation/", include("aftersales.organisation.urls")),
    path("calendars/", include("aftersales.calendars.urls")),
    path("customers/", include("aftersales.customers.urls")),
    path("products/", include("aftersales.installed_base.urls")),
    path("catalog/", include("aftersales.catalog.urls")),
    path("contracts/", include("aftersales.contracts.urls")),
    path("requests/", include("aftersales.service_requests.urls")),
    path("stock/", include("aftersales.stock.urls")),
    path("work-orders/", include("aftersales.work_orders.urls")),
    path("field/", include("aftersales.field_service.urls")),
    path("inbox/", include("aftersales.inbox.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("telephony/", include("aftersales.telephony.urls")),
    path("notifications/", include("aftersales.notifications.urls")),
    path("search/", include("aftersales.search.urls")),
    path("imports/", include("aftersales.imports.urls")),
    # The Django admin is a superuser's tool, not the product: administrators work in the app.
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
