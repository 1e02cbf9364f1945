from django.urls import path

from aftersales.catalog import views

app_name = "catalog"


def _directory(prefix: str, name: str, list_view, create, detail, update) -> list:  # type: ignore[no-untyped-def]
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/new/", create.as_view(), name=f"{name}_create"),
        path(f"{prefix}/<int:pk>/", detail.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", update.as_view(), name=f"{name}_update"),
    ]


urlpatterns = [
    *_directory(
        "categories",
        "category",
        views.CategoryListView,
        views.CategoryCreateView,
        views.CategoryDetailView,
        views.CategoryUpdateView,
    ),
    *_directory(
        "models",
        "model",
        views.ProductModelListView,
        views.ProductModelCreateView,
        views.ProductModelDetailView,
        views.ProductModelUpdateView,
    ),
    path("models/<int:pk>/batches/new/", views.BatchCreateView.as_view(), name="batch_create"),
    # pk of the ProductionBatch: one route parameter, like every other page.
    path("batches/<int:pk>/edit/", views.BatchUpdateView.as_view(), name="batch_update"),
    *_directory(
        "parts",
        "part",
        views.PartListView,
        views.PartCreateView,
        views.PartDetailView,
        views.PartUpdateView,
    ),
    *_directory(
        "fault-codes",
        "faultcode",
        views.FaultCodeListView,
        views.FaultCodeCreateView,
        views.FaultCodeDetailView,
        views.FaultCodeUpdateView,
    ),
    *_directory(
        "repair-codes",
        "repaircode",
        views.RepairCodeListView,
        views.RepairCodeCreateView,
        views.RepairCodeDetailView,
        views.RepairCodeUpdateView,
    ),
    *_directory(
        "labour",
        "labour",
        views.LabourItemListView,
        views.LabourItemCreateView,
        views.LabourItemDetailView,
        views.LabourItemUpdateView,
    ),
    *_directory(
        "price-lists",
        "pricelist",
        views.PriceListListView,
        views.PriceListCreateView,
        views.PriceListDetailView,
        views.PriceListUpdateView,
    ),
    path(
        "price-lists/<int:pk>/items/new/",
        views.PriceItemCreateView.as_view(),
        name="priceitem_create",
    ),
    # pk of the PriceListItem.
    path(
        "price-items/<int:pk>/edit/", views.PriceItemUpdateView.as_view(), name="priceitem_update"
    ),
    path(
        "price-items/<int:pk>/delete/",
        views.PriceItemDeleteView.as_view(),
        name="priceitem_delete",
    ),
]
