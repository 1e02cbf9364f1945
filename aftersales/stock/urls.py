from django.urls import path

from aftersales.stock import views

app_name = "stock"
urlpatterns = [
    path("", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("new/", views.WarehouseCreateView.as_view(), name="warehouse_create"),
    # pk of the warehouse:
    path("<int:pk>/", views.WarehouseDetailView.as_view(), name="warehouse_detail"),
    path("<int:pk>/edit/", views.WarehouseUpdateView.as_view(), name="warehouse_update"),
    path("<int:pk>/receive/", views.ReceiptView.as_view(), name="receipt"),
    path("<int:pk>/defective/", views.DefectiveReturnView.as_view(), name="defective_return"),
    path("<int:pk>/write-off/", views.WriteOffView.as_view(), name="write_off"),
    path("<int:pk>/stock-take/", views.StocktakeView.as_view(), name="stocktake"),
    path("<int:pk>/transfer/", views.TransferSendView.as_view(), name="transfer_send"),
    path("balances/", views.BalanceListView.as_view(), name="balance_list"),
    path("movements/", views.MovementListView.as_view(), name="movement_list"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    # pk of the transfer:
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path(
        "transfers/<int:pk>/receive/", views.TransferReceiveView.as_view(), name="transfer_receive"
    ),
    path("serials/", views.SerialLookupView.as_view(), name="serial_lookup"),
]
