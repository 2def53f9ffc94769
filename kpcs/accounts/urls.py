from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kpcs.accounts import login_views, security_views

app_name = "accounts"

urlpatterns = [
    # The log-in in two steps (login_views): password, then a code where the account has
    # an authenticator (or must set one up: secretariat accounts).
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/code/", login_views.VerifyView.as_view(), name="login_verify"),
    path("login/set-up/", login_views.EnrolView.as_view(), name="login_enrol"),
    path("security/", security_views.SecurityView.as_view(), name="security"),
    path(
        "security/two-factor/enable/", security_views.EnableView.as_view(), name="two_factor_enable"
    ),
    path(
        "security/two-factor/disable/",
        security_views.DisableView.as_view(),
        name="two_factor_disable",
    ),
    path("security/backup-codes/", security_views.BackupCodesView.as_view(), name="backup_codes"),
    path(
        "security/backup-codes/new/",
        security_views.RegenerateBackupCodesView.as_view(),
        name="backup_codes_regenerate",
    ),
    path("lockouts/", security_views.LockoutsView.as_view(), name="lockouts"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/form_page.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/message_page.html"),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/form_page.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/message_page.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/form_page.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/message_page.html"),
        name="password_reset_complete",
    ),
]
