from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workshops import services
from workshops.models import Group, Job, Participant, PostIt, Workshop
from workshops.services.privacy import participants_erase, workshop_anonymize_expired


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["title", "join_code", "status", "organizer", "created_at", "retention_days"]
    list_filter = ["status", "language"]
    search_fields = ["title", "join_code"]
    readonly_fields = ["join_code", "projector_token", "created_at"]
    filter_horizontal = ["facilitators"]
    actions = ["anonymize_past_retention"]

    def get_readonly_fields(self, request, obj=None):
        # A new workshop starts with the default retention, as from the organizer's page.
        extra = ["retention_days"] if obj is None else []
        return [*self.readonly_fields, *extra]

    @admin.action(description=_("Anonymize participants (workshops past their retention)"))
    def anonymize_past_retention(self, request, queryset) -> None:
        anonymized, not_due = 0, []
        for workshop in queryset:
            count = workshop_anonymize_expired(workshop_id=workshop.pk)
            anonymized += count
            if not count and workshop.participants.filter(anonymized_at=None).exists():
                not_due.append(workshop.title)
        self.message_user(
            request,
            ngettext(
                "%(count)d participant anonymized.",
                "%(count)d participants anonymized.",
                anonymized,
            )
            % {"count": anonymized},
            messages.SUCCESS,
        )
        if not_due:
            self.message_user(
                request,
                _("Not past their retention yet, left as they are: %(titles)s")
                % {"titles": ", ".join(not_due)},
                messages.WARNING,
            )

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
    list_display = ["display_name", "workshop", "location", "group", "joined_at", "anonymized_at"]
    list_filter = ["location", "workshop"]
    search_fields = ["display_name"]
    actions = ["erase_identity"]

    @admin.action(description=_("Erase the identity of the selected participants now"))
    def erase_identity(self, request, queryset) -> None:
        count = participants_erase(participant_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d participant anonymized.",
                "%(count)d participants anonymized.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


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
