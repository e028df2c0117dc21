from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from workshops import views
from workshops.minutes import views as minutes_views

urlpatterns = [
    path("", views.home, name="home"),
    path("j/<str:code>/", views.join, name="join"),
    path("j/<str:code>/qr.svg", views.join_qr, name="join-qr"),
    path("t/<str:pairing_code>/", views.tablet_pair, name="tablet-pair"),
    path("t/<str:pairing_code>/qr.svg", views.tablet_pair_qr, name="tablet-pair-qr"),
    path("w/<str:code>/", views.workshop_page, name="workshop"),
    path("w/<str:code>/part/<str:part>/", views.workshop_part, name="workshop-part"),
    path("w/<str:code>/postits/", views.postit_create, name="postit-create"),
    path("w/<str:code>/console/", views.console, name="console"),
    path("w/<str:code>/scribe/<str:token>/", views.scribe_join, name="scribe-join"),
    path("w/<str:code>/console/attendance/", views.console_attendance, name="console-attendance"),
    path("w/<str:code>/console/boards/", views.console_boards, name="console-boards"),
    path(
        "w/<str:code>/console/suggestions/",
        views.console_suggestions,
        name="console-suggestions",
    ),
    path("w/<str:code>/projector/<str:token>/", views.projector, name="projector"),
    path(
        "w/<str:code>/projector/<str:token>/stage/",
        views.projector_stage,
        name="projector-stage",
    ),
    path("w/<str:code>/settings/", views.workshop_settings, name="workshop-settings"),
    path("w/<str:code>/duplicate/", views.workshop_duplicate, name="workshop-duplicate"),
    path(
        "w/<str:code>/save-as-template/",
        views.workshop_save_as_template,
        name="workshop-save-as-template",
    ),
    path("w/<str:code>/facilitators/", views.facilitator_invite, name="facilitator-invite"),
    path(
        "w/<str:code>/facilitators/<int:user_id>/remove/",
        views.facilitator_remove,
        name="facilitator-remove",
    ),
    path("w/<str:code>/minutes/", minutes_views.minutes, name="minutes"),
    path(
        "w/<str:code>/minutes/panel/<str:variant>/",
        minutes_views.minutes_panel,
        name="minutes-panel",
    ),
    path(
        "w/<str:code>/minutes/<int:export_id>/<str:key>/",
        minutes_views.minutes_file,
        name="minutes-file",
    ),
    path(
        "w/<str:code>/minutes/retention/", minutes_views.minutes_retention, name="minutes-retention"
    ),
    path("w/<str:code>/my-data/", minutes_views.my_data, name="my-data"),
    path("w/<str:code>/my-data/download/", minutes_views.my_data_download, name="my-data-download"),
    path("w/<str:code>/my-data/erase/", minutes_views.my_data_erase, name="my-data-erase"),
    path("organizer/", views.organizer_home, name="organizer-home"),
    path("", include("deliberation.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Served by the ASGI router; named here so that pages can reverse the socket's path.
    path("ws/workshops/<int:workshop_id>/", views.socket_upgrade_required, name="live-socket"),
]

handler404 = "config.errors.page_not_found"
