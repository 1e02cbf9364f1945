"""The customer portal. Outside the staff access matrix (tests/test_access_matrix.py skips the
"portal" namespace): these pages take a portal account, not a staff permission, and are
covered by aftersales/portal/tests/test_security.py."""

from django.urls import path

from aftersales.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/done/", views.sign_up_done, name="sign_up_done"),
    path("verify/", views.verify, name="verify"),
    path("verify/resend/", views.verification_resend, name="verification_resend"),
    path("login/", views.log_in, name="login"),
    path("logout/", views.log_out, name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("password/", views.password_reset, name="password_reset"),
    path("password/new/", views.password_reset_confirm, name="password_reset_confirm"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/new/questions/", views.request_questions, name="request_questions"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/message/", views.request_message, name="request_message"),
    path("requests/<int:pk>/confirm/", views.request_confirm, name="request_confirm"),
    path("requests/<int:pk>/dispute/", views.request_dispute, name="request_dispute"),
    path("requests/<int:pk>/rate/", views.request_rate, name="request_rate"),
    path("requests/<int:pk>/reopen/", views.request_reopen, name="request_reopen"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
]
