"""A workshop dumped to a file and restored into an empty database is the same workshop."""

import base64
import datetime
import json
import subprocess
import sys
import uuid

import psycopg
import pytest
from django.conf import settings
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from tests.support.personas import as_participant
from tests.support.servers import ROOT, server_env
from workshops import services
from workshops.actors import Actor, Role
from workshops.backup import RestoreError, dump_workshop, restore_workshop
from workshops.models import PostIt, Workshop
from workshops.services.conclusions import conclusion_update

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workshop_that_happened(workshop, organizer, facilitator, alice, bob) -> Workshop:
    """Groups, a tablet, phases with actual timings, post-its in a cluster, dots, a merged
    and a hidden post-it, a poll with answers, a conclusion, a broadcast, a speaker."""
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    table, online = services.groups_create(
        actor=lead, count=1, kind="table"
    ) + services.groups_create(actor=lead, count=1, kind="online")
    services.tablet_pairing_open(actor=lead, group_id=table.pk)
    table.refresh_from_db()
    services.tablet_pair(pairing_code=table.pairing_code)
    brainstorm = services.phase_add(
        actor=lead, title="Idées", minutes=10, scope="plenary", activity="brainstorm"
    )
    vote = services.phase_add(
        actor=lead, title="Vote", minutes=5, scope="plenary", activity="dot_vote"
    )
    services.phase_start(actor=lead, phase_id=brainstorm.pk)
    ideas = [
        services.postit_create(actor=as_participant(person), text=text)
        for person, text in [(alice, "Des bancs"), (bob, "Une fontaine"), (alice, "Des bancs !")]
    ]
    cluster = services.cluster_create(actor=lead, name="Mobilier", postit_ids=[ideas[0].pk])
    services.postit_merge(actor=lead, postit_id=ideas[2].pk, into_id=ideas[0].pk)
    hidden = services.postit_create(actor=as_participant(bob), text="Hors sujet")
    services.postit_hide(actor=lead, postit_id=hidden.pk)
    services.phase_start(actor=lead, phase_id=vote.pk)
    services.dot_add(actor=as_participant(alice), postit_id=ideas[1].pk)
    poll = services.poll_create(
        actor=lead, question="Satisfaits ?", kind="single", options=["O", "N"]
    )
    services.poll_open(actor=lead, poll_id=poll.pk)
    option = poll.options.first()
    services.poll_answer(actor=as_participant(bob), poll_id=poll.pk, answer=option.pk)
    services.participant_move(actor=lead, participant_id=alice.pk, group_id=online.pk)
    doc = Doc()
    doc.get("prosemirror", type=XmlFragment).children.append(
        XmlElement("paragraph", {}, [XmlText("Plus d'ombre")])
    )
    conclusion_update(
        actor=as_participant(alice),
        group_id=online.pk,
        update=base64.b64encode(doc.get_update()).decode(),
    )
    services.broadcast_send(actor=lead, text="Plus que 5 minutes")
    services.hand_raise(actor=as_participant(bob))
    services.speaker_call_next(actor=lead)
    assert cluster.pk
    return Workshop.objects.get(pk=workshop.pk)


@pytest.fixture
def empty_database():
    """A database of its own, migrated and empty; dropped afterwards."""
    name = f"atelier_restore_{uuid.uuid4().hex[:8]}"
    database = settings.DATABASES["default"]
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    admin = f"postgres://{database['USER']}@{host}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = admin.rsplit("/", 1)[0] + "/" + name
    env = server_env(DATABASE_URL=url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    yield env
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def manage(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_dumped_workshop_restored_into_an_empty_database_is_identical(
    workshop_that_happened, empty_database, tmp_path
):
    # Times keep their microseconds, even under a millisecond's worth (the JSON encoder
    # Django's serializer uses kept milliseconds: this test failed now and then).
    first = workshop_that_happened.postits.order_by("pk").first()
    written_at = datetime.datetime(2026, 3, 5, 18, 30, 6, 412, tzinfo=datetime.UTC)
    PostIt.objects.filter(pk=first.pk).update(created_at=written_at)
    dump = tmp_path / "parc.json"
    dump.write_text(dump_workshop(workshop_that_happened), encoding="utf-8")
    assert '"created_at": "2026-03-05T18:30:06.000412Z"' in dump.read_text()
    rows = json.loads(dump.read_text())["rows"]
    kinds = {row["model"] for row in rows}
    assert {
        "workshops.postit",
        "workshops.dot",
        "workshops.pollanswer",
        "workshops.conclusion",
        "live.stream",
        "live.event",
        "workshops.participant",
    } <= kinds

    restored = manage(empty_database, "atelier_restore_workshop", str(dump))
    assert restored.returncode == 0, restored.stderr
    again = manage(empty_database, "atelier_dump_workshop", workshop_that_happened.join_code)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(dump.read_text())

    # The restored database carries on: new rows get fresh ids, live streams continue.
    code = (
        "from workshops import services; from workshops.models import Workshop; "
        f"w = Workshop.objects.get(join_code='{workshop_that_happened.join_code}'); "
        "p = services.participant_join(workshop=w, display_name='Zoé', location='remote'); "
        "print(p.pk)"
    )
    carried_on = manage(empty_database, "shell", "-c", code)
    assert carried_on.returncode == 0, carried_on.stderr
    assert int(carried_on.stdout.split()[-1]) > max(
        row["pk"] for row in rows if row["model"] == "workshops.participant"
    )


def test_restoring_over_an_existing_workshop_is_refused_and_changes_nothing(
    workshop_that_happened,
):
    text = dump_workshop(workshop_that_happened)
    before = Workshop.objects.count()
    with pytest.raises(RestoreError, match="already in this database"):
        restore_workshop(text)
    with pytest.raises(RestoreError, match="not an Atelier workshop dump"):
        restore_workshop(json.dumps({"format": "something else"}))
    with pytest.raises(RestoreError, match="not JSON"):
        restore_workshop("{")
    assert Workshop.objects.count() == before


def test_the_dump_command_says_when_no_workshop_has_the_code(db):
    result = manage(server_env(), "atelier_dump_workshop", "NOPE42")
    assert result.returncode != 0 and "no workshop has the code NOPE42" in result.stderr
