from django.urls import path

from deliberation import views

urlpatterns = [
    path("d/", views.spaces, name="spaces"),
    path("d/<slug:slug>/", views.space, name="space"),
    path("d/<slug:slug>/new/", views.proposal_new, name="proposal-new"),
    path("d/<slug:slug>/settings/", views.space_settings, name="space-settings"),
    path("d/<slug:slug>/answers/", views.space_answers, name="space-answers"),
    path("d/<slug:slug>/moderation/", views.space_moderation, name="space-moderation"),
    path("d/<slug:slug>/export/", views.space_export, name="space-export"),
    path("d/<slug:slug>/<int:number>/", views.proposal, name="proposal"),
    path("d/<slug:slug>/<int:number>/edit/", views.proposal_edit, name="proposal-edit"),
    path("d/<slug:slug>/<int:number>/history/", views.proposal_history, name="proposal-history"),
    path("d/<slug:slug>/<int:number>/publish/", views.proposal_publish, name="proposal-publish"),
    path("d/<slug:slug>/<int:number>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("d/<slug:slug>/<int:number>/vote/", views.proposal_vote, name="proposal-vote"),
    path("d/<slug:slug>/<int:number>/follow/", views.proposal_follow, name="proposal-follow"),
    path(
        "d/<slug:slug>/<int:number>/follow-by-email/",
        views.proposal_email_follow,
        name="proposal-email-follow",
    ),
    path("d/<slug:slug>/<int:number>/report/", views.proposal_report, name="proposal-report"),
    path("d/<slug:slug>/<int:number>/moderate/", views.proposal_moderate, name="proposal-moderate"),
    path("d/<slug:slug>/<int:number>/merge/", views.proposal_merge, name="proposal-merge"),
    path("d/<slug:slug>/<int:number>/answer/", views.proposal_answer, name="proposal-answer"),
    path("d/<slug:slug>/<int:number>/comments/", views.proposal_comments, name="proposal-comments"),
    path(
        "d/<slug:slug>/<int:number>/attachments/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("d/<slug:slug>/c/<int:comment_id>/", views.comment, name="comment"),
    path(
        "d/<slug:slug>/c/<int:comment_id>/replies/", views.comment_replies, name="comment-replies"
    ),
    path("d/<slug:slug>/c/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("d/<slug:slug>/c/<int:comment_id>/vote/", views.comment_vote, name="comment-vote"),
    path("d/<slug:slug>/c/<int:comment_id>/report/", views.comment_report, name="comment-report"),
    path(
        "d/<slug:slug>/c/<int:comment_id>/moderate/",
        views.comment_moderate,
        name="comment-moderate",
    ),
    path("w/<str:code>/outcomes/", views.workshop_outcomes, name="workshop-outcomes"),
    path("w/<str:code>/keep-informed/", views.keep_informed, name="keep-informed"),
    path("follow-up/", views.followup, name="followup"),
    path("follow-up/<str:token>/", views.followup_token, name="followup-token"),
    path("follow-up/<str:token>/confirm/", views.email_confirm, name="email-confirm"),
    path("follow-up/<str:token>/stop/", views.emails_stop, name="emails-stop"),
]
