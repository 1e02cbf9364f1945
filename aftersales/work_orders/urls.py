from django.urls import path

from aftersales.work_orders import views

app_name = "work_orders"
urlpatterns = [
    path("", views.OrderListView.as_view(), name="order_list"),
    path("new/", views.OrderCreateView.as_view(), name="order_create"),
    # pk of the customer: an order drawn up, or a device taken in, from the customer's card.
    path("new/for/<int:pk>/", views.OrderForCustomerView.as_view(), name="order_for_customer"),
    path("intake/for/<int:pk>/", views.IntakeView.as_view(), name="intake"),
    # pk of the service request: "create work order from this request".
    path(
        "new/from-request/<int:pk>/",
        views.OrderFromRequestView.as_view(),
        name="order_from_request",
    ),
    path("<int:pk>/", views.OrderDetailView.as_view(), name="order_detail"),
    path("<int:pk>/status/", views.OrderStatusView.as_view(), name="order_status"),
    path("<int:pk>/assign/", views.OrderAssignView.as_view(), name="order_assign"),
    path("<int:pk>/diagnosis/", views.OrderDiagnosisView.as_view(), name="order_diagnosis"),
    path("<int:pk>/quote/", views.QuoteSendView.as_view(), name="quote_send"),
    path("<int:pk>/quote/answer/", views.QuoteAnswerView.as_view(), name="quote_answer"),
    path("<int:pk>/parts/", views.PartIssueView.as_view(), name="part_issue"),
    path("<int:pk>/parts/return/", views.PartReturnView.as_view(), name="part_return"),
    path("<int:pk>/labour/", views.LabourView.as_view(), name="labour_add"),
    path("<int:pk>/custody/", views.CustodyView.as_view(), name="custody_record"),
    path("<int:pk>/swap/", views.SwapView.as_view(), name="device_swap"),
    path("<int:pk>/photos/", views.PhotoAddView.as_view(), name="photo_add"),
    path("<int:pk>/sign/", views.SignView.as_view(), name="sign"),
    path("<int:pk>/sign/link/", views.SignLinkView.as_view(), name="sign_link"),
    path("<int:pk>/complete/", views.CompleteView.as_view(), name="order_complete"),
    # Printable documents, in the customer's language.
    path(
        "<int:pk>/print/intake/",
        views.PrintView.as_view(document="intake"),
        name="print_intake",
    ),
    path("<int:pk>/print/order/", views.PrintView.as_view(document="order"), name="print_order"),
    path(
        "<int:pk>/print/service_record/",
        views.PrintView.as_view(document="service_record"),
        name="print_service_record",
    ),
    # Private files, served after the scoped lookup.
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("signatures/<int:pk>/", views.SignatureImageView.as_view(), name="signature_image"),
    # The customer's one-time link (no sign-in; services.link_url builds it).
    path("link/<str:token>/", views.CustomerLinkView.as_view(), name="customer_link"),
]
