"""Attachments of a proposal: images (PNG, JPEG, GIF, WebP) and PDF documents, checked by
their first bytes (not their name or the browser's word), limited in size and number, and
stored under a name of our own."""

import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from deliberation.models import Attachment
from deliberation.people import Viewer
from deliberation.services.common import proposal_for
from deliberation.services.proposals import may_edit
from workshops.errors import Refused
from workshops.services.common import clean_text

MAX_ATTACHMENTS = 10
# first bytes → (kind, content type, extension)
SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", ("image", "image/png", "png")),
    (b"\xff\xd8\xff", ("image", "image/jpeg", "jpg")),
    (b"GIF87a", ("image", "image/gif", "gif")),
    (b"GIF89a", ("image", "image/gif", "gif")),
    (b"%PDF-", ("pdf", "application/pdf", "pdf")),
]


def sniff(head: bytes) -> tuple[str, str, str] | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ("image", "image/webp", "webp")
    for signature, found in SIGNATURES:
        if head.startswith(signature):
            return found
    return None


def read_upload(upload) -> bytes:
    """The upload's bytes, refused beyond the limit without reading it all."""
    limit = settings.DELIBERATION_ATTACHMENT_MAX_BYTES
    if upload is None:
        raise Refused("invalid", _("Choose a file."))
    if upload.size > limit:
        raise Refused(
            "too_large",
            _("A file is limited to %(max)s (this one is %(size)s).")
            % {"max": filesizeformat(limit), "size": filesizeformat(upload.size)},
        )
    upload.seek(0)
    return upload.read(limit + 1)


def attachment_add(*, viewer: Viewer, proposal_id: int, upload, title: str) -> Attachment:
    title = clean_text(title, field=_("The description"), max_length=200)
    data = read_upload(upload)
    found = sniff(data[:16])
    if found is None:
        raise Refused("bad_type", _("Only images (PNG, JPEG, GIF, WebP) and PDF files."))
    kind, content_type, extension = found
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id, lock=True)
        if not may_edit(viewer, proposal):
            raise Refused("forbidden", _("You cannot edit this proposal."))
        if proposal.attachments.count() >= MAX_ATTACHMENTS:
            raise Refused(
                "too_many",
                _("A proposal has at most %(max)d attachments.") % {"max": MAX_ATTACHMENTS},
            )
        attachment = Attachment(
            proposal=proposal, title=title, kind=kind, content_type=content_type, size=len(data)
        )
        attachment.file.save(f"{secrets.token_hex(16)}.{extension}", ContentFile(data), save=False)
        attachment.save()
    return attachment


def attachment_remove(*, viewer: Viewer, proposal_id: int, attachment_id: int) -> None:
    with transaction.atomic():
        proposal = proposal_for(viewer, proposal_id, lock=True)
        if not may_edit(viewer, proposal):
            raise Refused("forbidden", _("You cannot edit this proposal."))
        attachment = (
            proposal.attachments.filter(pk=attachment_id).first()
            if type(attachment_id) is int
            else None
        )
        if attachment is None:
            raise Refused("not_found", _("This attachment does not exist."))
        stored = attachment.file
        attachment.delete()
        transaction.on_commit(lambda: stored.delete(save=False))
