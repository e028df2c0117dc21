"""A new post-it's live frame is rendered from what its command already loaded (no second
read after the commit), and shows exactly what a resync renders from the log."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.test.utils import CaptureQueriesContext

from live import streams
from live.broadcast import event_frame
from live.models import Event
from live.streams import layer_group
from tests.support.personas import as_participant
from workshops import services
from workshops.commands import execute_command
from workshops.models import Participant

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def scribe_typing_for_a_table(workshop, lead) -> tuple[Participant, dict, str]:
    scribe = services.participant_join(
        workshop=workshop, display_name="Sophie", location="room", kind="scribe"
    )
    [table] = services.groups_create(actor=lead, count=1, kind="table")
    return scribe, {"table": table.pk}, streams.WORKSHOP


def tablet_signing(workshop, lead) -> tuple[Participant, dict, str]:
    [table] = services.groups_create(actor=lead, count=1, kind="table")
    paired = services.tablet_pairing_open(actor=lead, group_id=table.pk)
    tablet = services.tablet_pair(pairing_code=paired.pairing_code)
    return tablet, {"signature": "Marie"}, streams.WORKSHOP


def alice_in_an_anonymous_workshop(workshop, lead) -> tuple[Participant, dict, str]:
    services.workshop_set_anonymous(
        user=workshop.organizer, workshop_id=workshop.pk, anonymous=True
    )
    alice = services.participant_join(workshop=workshop, display_name="Alice", location="room")
    return alice, {}, streams.WORKSHOP


def alice_in_a_breakout_group(workshop, lead) -> tuple[Participant, dict, str]:
    alice = services.participant_join(workshop=workshop, display_name="Alice", location="room")
    [group] = services.groups_create(actor=lead, count=1, kind="online")
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=group.pk)
    services.breakouts_open(actor=lead)
    return alice, {}, streams.board_stream(group.pk)


def alice_remote(workshop, lead) -> tuple[Participant, dict, str]:
    alice = services.participant_join(workshop=workshop, display_name="Alice", location="remote")
    return alice, {}, streams.WORKSHOP


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "writer",
    [
        alice_remote,
        alice_in_an_anonymous_workshop,
        alice_in_a_breakout_group,
        tablet_signing,
        scribe_typing_for_a_table,
    ],
)
async def test_the_live_frame_of_a_new_post_it_is_what_a_resync_shows(workshop, lead, writer):
    author, args, stream = await database_sync_to_async(writer)(workshop, lead)
    layer = get_channel_layer()
    listener = await layer.new_channel()  # hears the stream as every process's hub does
    await layer.group_add(layer_group(workshop.pk, stream), listener)
    try:

        def write() -> Event:
            execute_command(
                actor=as_participant(author),
                client_id="first-postit",
                name="postit.create",
                args={"text": "Des bancs <à l'ombre>", **args},
            )
            return Event.objects.get(name="postit.created")

        event = await database_sync_to_async(write)()
        published = await asyncio.wait_for(layer.receive(listener), 5)

        def from_the_log() -> dict:
            return event_frame(workshop.pk, stream, event, "fr")

        assert published["seq"] == event.seq
        frame = json.loads(published["frames"]["fr"])
        assert frame == await database_sync_to_async(from_the_log)()
    finally:
        await layer.group_discard(layer_group(workshop.pk, stream), listener)


@pytest.mark.django_db(transaction=True)
def test_writing_a_post_it_reads_nothing_again_to_publish_it(workshop, alice):
    with CaptureQueriesContext(connection) as statements:
        execute_command(
            actor=as_participant(alice),
            client_id="one",
            name="postit.create",
            args={"text": "Une fontaine"},
        )
    sql = [statement["sql"] for statement in statements.captured_queries]
    assert sql[-1] == "COMMIT", sql  # the frame was rendered from what the command held
    # Every statement costs the command: this is the whole list for a participant on the
    # plenary board (docs/performance.md); a group's board adds its lock.
    assert len(sql) == 13, "\n".join(sql)
