"""Group conclusions, co-written live: Yjs documents merged and kept by the server.

The browser edits a Yjs document (ProseMirror through y-prosemirror); the server decodes
every update with pycrdt, checks who sends it and whether the document may change, applies
it under the conclusion's row lock, stores the compacted state and a Markdown text, and only
then relays it to the group and acknowledges it. A refused update changes nothing.
"""

import base64
import binascii
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from live import streams
from live.broadcast import emit, relay
from workshops.actors import Actor, Role
from workshops.errors import Refused
from workshops.models import CONCLUSION_MAX_TEXT, Conclusion, Group, Participant, Workshop
from workshops.services.common import locked_workshop

FRAGMENT = "prosemirror"  # the name y-prosemirror binds to


@dataclass(frozen=True)
class SyncReply:
    update: bytes  # what the client lacks
    state_vector: bytes  # what the server holds, so the client sends what the server lacks
    locked: bool


def decode(payload: object) -> bytes:
    """Base64 from a frame, or a refusal: binary Yjs data travels as text in our envelope."""
    if not isinstance(payload, str):
        raise Refused("bad_update", _("This document update cannot be read."))
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise Refused("bad_update", _("This document update cannot be read.")) from None


def _conclusion(actor: Actor, group_id: object, *, lock: bool) -> Conclusion:
    """The conclusion of a group the actor may read and write: their own group (members,
    the table's tablet) or any group of the workshop (facilitators)."""
    group = (
        Group.objects.filter(pk=group_id, workshop_id=actor.workshop_id).first()
        if type(group_id) is int
        else None
    )
    if group is None:
        raise Refused("not_found", _("This group does not exist."))
    if actor.role == Role.PARTICIPANT:
        member = Participant.objects.filter(
            pk=actor.participant_id, workshop_id=actor.workshop_id, group=group, anonymized_at=None
        ).exists()
        if not member:
            raise Refused("forbidden", _("Only the group's members write its conclusion."))
    elif not actor.leads:
        raise Refused("forbidden", _("Only the group's members write its conclusion."))
    conclusion, _created = Conclusion.objects.get_or_create(
        group=group, defaults={"workshop_id": actor.workshop_id}
    )
    if lock:
        conclusion = Conclusion.objects.select_for_update().get(pk=conclusion.pk)
    return conclusion


def _document(conclusion: Conclusion) -> Doc:
    doc = Doc()
    if conclusion.state:
        doc.apply_update(bytes(conclusion.state))
    return doc


def conclusion_sync(*, actor: Actor, group_id: int, state_vector: object) -> SyncReply:
    """Step one of the Yjs sync: what the client lacks, and what the server holds."""
    vector = decode(state_vector)
    conclusion = _conclusion(actor, group_id, lock=False)
    doc = _document(conclusion)
    try:
        missing = doc.get_update(vector) if vector else doc.get_update()
    except ValueError:
        raise Refused("bad_update", _("This document update cannot be read.")) from None
    return SyncReply(missing, doc.get_state(), conclusion.locked)


def conclusion_update(*, actor: Actor, group_id: int, update: object) -> None:
    """Merge an editor's update and keep it; once committed, relay it to the group's other
    editors (unsequenced: a lost relay is healed by the next sync)."""
    data = decode(update)
    with transaction.atomic():
        conclusion = _conclusion(actor, group_id, lock=True)
        if conclusion.locked:
            raise Refused("doc_locked", _("This conclusion is locked: the phase has ended."))
        doc = _document(conclusion)
        try:
            doc.apply_update(data)
        except ValueError:
            raise Refused("bad_update", _("This document update cannot be read.")) from None
        markdown = to_markdown(doc)
        if len(markdown) > CONCLUSION_MAX_TEXT:
            raise Refused(
                "doc_too_large",
                _("A conclusion is limited to %(max)d characters: shorten it to keep writing.")
                % {"max": CONCLUSION_MAX_TEXT},
            )
        conclusion.state = doc.get_update()  # compacted: the whole state, not a log
        conclusion.markdown = markdown
        conclusion.save(update_fields=["state", "markdown", "updated_at"])
        frame = {"type": "doc.update", "doc": conclusion.group_id, "update": update}
        transaction.on_commit(
            lambda: relay(actor.workshop_id, streams.group_stream(conclusion.group_id), frame)
        )


def conclusion_editing(*, actor: Actor, group_id: int) -> None:
    """Tell the group who is writing now; their screens forget a name after a while."""
    conclusion = _conclusion(actor, group_id, lock=False)
    if actor.role != Role.PARTICIPANT:
        return  # facilitators read along without showing up as writers
    participant = Participant.objects.get(pk=actor.participant_id)
    frame = {
        "type": "doc.editors",
        "doc": conclusion.group_id,
        "names": [participant.display_name],
        "participant": participant.pk,  # their own screen leaves them out
    }
    relay(actor.workshop_id, streams.group_stream(conclusion.group_id), frame)


def conclusion_lock(*, actor: Actor, group_id: int, locked: bool) -> Conclusion:
    """A facilitator makes a conclusion read-only (the phase has ended), or writable again."""
    if not actor.leads:
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))
    if type(locked) is not bool:
        raise Refused("invalid", _("Say whether the conclusion is locked."))
    with transaction.atomic():
        conclusion = _conclusion(actor, group_id, lock=True)
        if conclusion.locked != locked:
            conclusion.locked_at = timezone.now() if locked else None
            conclusion.save(update_fields=["locked_at", "updated_at"])
            emit(
                workshop_id=actor.workshop_id,
                stream=streams.group_stream(conclusion.group_id),
                name="conclusion.locked",
                data={"group": conclusion.group_id, "locked": locked},
            )
    return conclusion


def lock_all_conclusions(workshop_id: int) -> None:
    """A writing phase ends: every group's conclusion becomes read-only (a facilitator may
    unlock one). Runs inside the phase's transaction."""
    now = timezone.now()
    for conclusion in Conclusion.objects.select_for_update().filter(
        workshop_id=workshop_id, locked_at=None
    ):
        conclusion.locked_at = now
        conclusion.save(update_fields=["locked_at", "updated_at"])
        emit(
            workshop_id=workshop_id,
            stream=streams.group_stream(conclusion.group_id),
            name="conclusion.locked",
            data={"group": conclusion.group_id, "locked": True},
        )


# Markdown of the ProseMirror document, for the minutes and proposals.

MARKS = {"strong": "**", "em": "_"}


def to_markdown(doc: Doc) -> str:
    fragment = doc.get(FRAGMENT, type=XmlFragment)
    blocks = [_block(child) for child in fragment.children]
    return "\n\n".join(block for block in blocks if block).strip()


def _block(node: object, *, prefix: str = "") -> str:
    if isinstance(node, XmlText):
        return _inline(node)
    if not isinstance(node, XmlElement):
        return ""
    tag = node.tag
    if tag == "heading":
        depth = _whole(node.attributes.get("level"), default=2)  # Yjs numbers arrive as 3.0
        return "#" * min(max(depth, 1), 6) + " " + _text_of(node)
    if tag in ("bullet_list", "ordered_list"):
        items = []
        first = _whole(node.attributes.get("order"), default=1)
        for number, item in enumerate(node.children, start=first):
            marker = f"{number}. " if tag == "ordered_list" else "- "
            items.append(marker + _text_of(item))
        return "\n".join(items)
    return _text_of(node)


def _whole(value: object, *, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _text_of(node: XmlElement) -> str:
    parts = []
    for child in node.children:
        parts.append(_inline(child) if isinstance(child, XmlText) else _block(child))
    return " ".join(part for part in parts if part)


def _inline(text: XmlText) -> str:
    pieces = []
    for chunk, attributes in text.diff():
        if not isinstance(chunk, str):
            continue  # embeds are not text
        for mark, wrapper in MARKS.items():
            if attributes and mark in attributes and chunk.strip():
                chunk = f"{wrapper}{chunk}{wrapper}"
        pieces.append(chunk)
    return "".join(pieces)


def conclusions_share(*, actor: Actor, shared: bool) -> None:
    """A facilitator brings the groups' conclusions to the plenary (everyone sees them side
    by side and may vote on them in a dot vote), or takes them back."""
    if not actor.leads:
        raise Refused("forbidden", _("Only the workshop's facilitators can do this."))
    if type(shared) is not bool:
        raise Refused("invalid", _("Say whether the conclusions are shared."))
    with transaction.atomic():
        share_conclusions(locked_workshop(actor), shared)


def share_conclusions(workshop: Workshop, shared: bool) -> None:
    """Show (or stop showing) the conclusions in the plenary; `workshop` is locked."""
    if workshop.conclusions_shared != shared:
        workshop.conclusions_shared = shared
        workshop.save(update_fields=["conclusions_shared"])
        emit(
            workshop_id=workshop.pk,
            stream=streams.WORKSHOP,
            name="conclusions.shared",
            data={"shared": shared},
        )
