"""/duty/: the duty room's pages."""

from django.urls import path

from duty import views

urlpatterns = [
    path("", views.live, name="duty-live"),
    path("queue.json", views.queue, name="duty-queue"),
    path("now/", views.now, name="duty-now"),
    path("roster/", views.roster_page, name="duty-roster"),
    path("roster/set", views.roster_set, name="duty-roster-set"),
    path("roster/swap", views.roster_swap, name="duty-roster-swap"),
    path("roster/import", views.roster_import, name="duty-roster-import"),
    path("roster/export.<str:fmt>", views.roster_export, name="duty-roster-export"),
    path("log/", views.log_page, name="duty-log"),
    path("log/export.<str:fmt>", views.log_export, name="duty-log-export"),
    path("handover/", views.handover_page, name="duty-handover"),
    path("alerts/<int:alert_id>/acknowledge", views.acknowledge, name="duty-acknowledge"),
    path("emerging/<int:event_id>", views.emerging_action, name="duty-emerging"),
]
