"""The Django admin for deliberation: a view for operators. Changes that have rules (votes,
answers, moderation) go through the pages and their services; here they are read-only."""

from django.contrib import admin

from deliberation.models import (
    Answer,
    Comment,
    Notification,
    Proposal,
    ProposalState,
    Report,
    Space,
    SpaceMember,
    Theme,
)


class ThemeInline(admin.TabularInline):
    model = Theme
    extra = 0


class StateInline(admin.TabularInline):
    model = ProposalState
    extra = 0


class MemberInline(admin.TabularInline):
    model = SpaceMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "organizer", "created_at"]
    search_fields = ["title", "slug"]
    filter_horizontal = ["workshops"]
    inlines = [ThemeInline, StateInline, MemberInline]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "space", "status", "state", "supports_count",
                    "comments_count", "withdrawn_at", "hidden_at"]  # fmt: skip
    list_filter = ["status", "space"]
    search_fields = ["title", "body"]
    readonly_fields = [
        "space", "number", "state", "created_by", "supports_count", "against_count",
        "neutral_count", "comments_count", "reports_count", "version", "merged_into",
        "threshold_reached_at", "answered_at", "published_at", "withdrawn_at",
    ]  # fmt: skip


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["proposal", "state", "published_at", "author"]
    readonly_fields = ["proposal", "state", "author", "published_at"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "alignment", "created_at", "hidden_at", "reports_count"]
    list_filter = ["alignment"]
    readonly_fields = ["proposal", "root", "parent", "author", "up_count", "down_count",
                       "replies_count", "reports_count"]  # fmt: skip


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["reason", "proposal", "comment", "created_at", "resolved_at"]
    list_filter = ["reason"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["kind", "proposal", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    readonly_fields = ["person", "proposal", "comment", "kind", "data"]
