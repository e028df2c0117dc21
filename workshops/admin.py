from django.contrib import admin

from workshops import services
from workshops.models import Group, Job, Participant, PostIt, Workshop


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "join_code", "status", "organizer", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["title", "join_code"]
    readonly_fields = ["join_code", "projector_token", "created_at"]
    filter_horizontal = ["facilitators"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # New workshops go through the service: it draws the code and creates the streams.
        created = services.workshop_create(
            organizer=obj.organizer,
            title=obj.title,
            purpose=obj.purpose,
            place=obj.place,
            language=obj.language,
        )
        obj.pk = created.pk
        obj.join_code = created.join_code
        obj.projector_token = created.projector_token
        obj.created_at = created.created_at
        obj._state.adding = False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "workshop", "position"]
    list_filter = ["workshop"]


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["display_name", "workshop", "location", "group", "joined_at"]
    list_filter = ["location", "workshop"]
    search_fields = ["display_name"]


@admin.register(PostIt)
class PostItAdmin(admin.ModelAdmin):
    list_display = ["text", "workshop", "group", "author", "created_at"]
    list_filter = ["workshop"]
    search_fields = ["text"]
    list_select_related = ["workshop", "group", "author"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are queued by the product and run by the worker."""

    list_display = ["kind", "status", "run_at", "attempts", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
