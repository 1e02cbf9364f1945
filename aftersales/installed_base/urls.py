from django.urls import path

from aftersales.installed_base import views

app_name = "installed_base"
urlpatterns = [
    path("", views.ProductListView.as_view(), name="product_list"),
    path("<int:pk>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("<int:pk>/edit/", views.ProductUpdateView.as_view(), name="product_update"),
    path("<int:pk>/warranty/", views.ProductWarrantyView.as_view(), name="product_warranty"),
    path("<int:pk>/transfer/", views.ProductTransferView.as_view(), name="product_transfer"),
    # pk of the customer: a product is registered from its owner's card (/products/new/for/12/).
    path("new/for/<int:pk>/", views.ProductRegisterView.as_view(), name="product_register"),
]
