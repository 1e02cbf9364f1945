from django.urls import path

from aftersales.contracts import views

app_name = "contracts"
urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("new/", views.ContractCreateView.as_view(), name="contract_create"),
    # pk of the customer: a contract drawn up from the customer's card.
    path(
        "new/for/<int:pk>/", views.ContractForCustomerView.as_view(), name="contract_for_customer"
    ),
    # pk of the service request: "create contract from this request".
    path(
        "new/from-request/<int:pk>/",
        views.ContractFromRequestView.as_view(),
        name="contract_from_request",
    ),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_update"),
]
