from django.urls import path

from kpcs.certificates import public_views

app_name = "certificates_public"

urlpatterns = [
    # Public, no login: the query string is the check (?participant=BWA&number=BW123456).
    path("verify/", public_views.verify, name="verify"),
]
