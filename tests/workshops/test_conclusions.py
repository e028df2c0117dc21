"""Group conclusions: Yjs updates from independent editors merge, persist, and are guarded."""

import base64

import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from live.models import Event
from tests.support.personas import as_participant
from workshops import services
from workshops.actors import Actor
from workshops.errors import Refused
from workshops.models import CONCLUSION_MAX_TEXT, Conclusion
from workshops.services.conclusions import (
    conclusion_sync,
    conclusion_update,
    to_markdown,
)


@pytest.fixture
def group(lead, alice, bob):
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    for person in (alice, bob):
        services.participant_move(actor=lead, participant_id=person.pk, group_id=group.pk)
    return group


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Editor:
    """A browser's Yjs document, simulated with pycrdt: it edits and syncs like one."""

    def __init__(self, actor: Actor, group_id: int) -> None:
        self.actor, self.group_id, self.doc = actor, group_id, Doc()
        self.fragment = self.doc.get("prosemirror", type=XmlFragment)

    def sync(self) -> None:
        reply = conclusion_sync(
            actor=self.actor, group_id=self.group_id, state_vector=b64(self.doc.get_state())
        )
        self.doc.apply_update(reply.update)
        mine = self.doc.get_update(reply.state_vector)
        if len(mine) > 2:  # offline edits the server lacks
            self.send(mine)

    def send(self, update: bytes) -> None:
        conclusion_update(actor=self.actor, group_id=self.group_id, update=b64(update))

    def write(self, tag: str, text: str, **attributes) -> bytes:
        before = self.doc.get_state()
        self.fragment.children.append(XmlElement(tag, attributes, [XmlText(text)]))
        return self.doc.get_update(before)


def stored_markdown(group) -> str:
    return Conclusion.objects.get(group=group).markdown


def test_concurrent_edits_of_independent_editors_merge_and_nothing_is_lost(group, alice, bob):
    first, second = Editor(as_participant(alice), group.pk), Editor(as_participant(bob), group.pk)
    first.sync()
    second.sync()
    # Both type at the same time, each on a document that has not seen the other's edit.
    first.send(first.write("heading", "Nos propositions", level="2"))
    second.send(second.write("paragraph", "Des bancs à l'ombre"))
    markdown = stored_markdown(group)
    assert "## Nos propositions" in markdown and "Des bancs à l'ombre" in markdown
    # Each editor catches up and both end with both texts.
    first.sync()
    second.sync()
    assert str(first.fragment) == str(second.fragment)
    assert to_markdown(first.doc) == markdown


def test_an_editor_offline_merges_its_edits_on_reconnect(group, alice, bob):
    online, offline = Editor(as_participant(alice), group.pk), Editor(as_participant(bob), group.pk)
    online.sync()
    offline.sync()
    offline.write("paragraph", "Écrit sans réseau")  # kept locally, not sent
    online.send(online.write("paragraph", "Écrit en ligne"))
    offline.sync()  # the reconnect: step one, then what the server lacks
    online.sync()
    for editor in (online, offline):
        assert "Écrit sans réseau" in to_markdown(editor.doc)
        assert "Écrit en ligne" in to_markdown(editor.doc)


def test_the_state_is_compacted_and_reloads_after_a_restart(group, alice):
    editor = Editor(as_participant(alice), group.pk)
    for n in range(30):
        editor.send(editor.write("paragraph", f"Idée {n}"))
    stored = bytes(Conclusion.objects.get(group=group).state)
    fresh = Doc()
    fresh.apply_update(stored)  # what a restarted server loads
    assert to_markdown(fresh) == to_markdown(editor.doc)
    assert stored == fresh.get_update()  # one state, not a growing log of updates


def test_markdown_keeps_headings_lists_and_bold(group, alice):
    editor = Editor(as_participant(alice), group.pk)
    text = XmlText("Very ")
    paragraph = XmlElement("paragraph", {}, [text])
    bullets = XmlElement(
        "bullet_list",
        {},
        [XmlElement("list_item", {}, [XmlElement("paragraph", {}, [XmlText("Bancs")])])],
    )
    before = editor.doc.get_state()
    editor.fragment.children.append(paragraph)
    editor.fragment.children.append(bullets)
    text.insert(5, "important", {"strong": {}})
    editor.send(editor.doc.get_update(before))
    assert stored_markdown(group) == "Very **important**\n\n- Bancs"


def test_only_the_group_s_members_and_the_facilitators_write_its_conclusion(
    lead, workshop, group, join
):
    outsider = join(workshop, "Pas du groupe")
    editor = Editor(as_participant(outsider), group.pk)
    with pytest.raises(Refused) as refusal:
        editor.send(editor.write("paragraph", "Intrus"))
    assert refusal.value.code == "forbidden"
    Editor(lead, group.pk).send(Editor(lead, group.pk).write("paragraph", "Note de l'animation"))
    assert "Intrus" not in stored_markdown(group)


@pytest.mark.parametrize("payload", ["pas du base64 !", b64(b"\x00\x01garbage"), 42, None])
def test_a_malformed_update_is_refused_and_the_document_unchanged(group, alice, payload):
    editor = Editor(as_participant(alice), group.pk)
    editor.send(editor.write("paragraph", "Avant"))
    before = bytes(Conclusion.objects.get(group=group).state)
    with pytest.raises(Refused) as refusal:
        conclusion_update(actor=as_participant(alice), group_id=group.pk, update=payload)
    assert refusal.value.code == "bad_update"
    assert bytes(Conclusion.objects.get(group=group).state) == before


def test_a_locked_conclusion_refuses_updates_and_a_writing_phase_locks_them_all(lead, group, alice):
    editor = Editor(as_participant(alice), group.pk)
    editor.send(editor.write("paragraph", "Avant la fin"))
    phase = services.phase_add(
        actor=lead, title="Écrire", minutes=5, scope="breakouts", activity="write"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    services.phase_end(actor=lead)
    assert Conclusion.objects.get(group=group).locked
    assert Event.objects.filter(name="conclusion.locked").count() == 1
    with pytest.raises(Refused) as refusal:
        editor.send(editor.write("paragraph", "Trop tard"))
    assert refusal.value.code == "doc_locked"
    assert "Trop tard" not in stored_markdown(group)
    services.conclusion_lock(actor=lead, group_id=group.pk, locked=False)
    editor.send(editor.doc.get_update())
    assert "Trop tard" in stored_markdown(group)


def test_a_conclusion_is_limited_in_size_with_a_clear_message(group, alice):
    editor = Editor(as_participant(alice), group.pk)
    editor.send(editor.write("paragraph", "Court"))
    with pytest.raises(Refused) as refusal:
        editor.send(editor.write("paragraph", "x" * (CONCLUSION_MAX_TEXT + 1)))
    assert refusal.value.code == "doc_too_large"
    assert "50000" in refusal.value.message or "50 000" in refusal.value.message
    assert stored_markdown(group) == "Court"


def test_only_facilitators_lock(group, alice):
    with pytest.raises(Refused) as refusal:
        services.conclusion_lock(actor=as_participant(alice), group_id=group.pk, locked=True)
    assert refusal.value.code == "forbidden"
