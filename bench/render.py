"""What each language costs when a live event is published (no server: the command's work).

`live.broadcast.publish` renders every event's frame once per language of settings.LANGUAGES,
before one group_send carries them all: a third language (Italian) is a third render of
every event. Builds a workshop in the benchmark's own PostgreSQL database: P post-its
written through the services by N participants on the plenary board, then a moved post-it,
a cluster of ten and a started phase. Times `event_frame` of each of these events in each
language with time.perf_counter and prints one JSON line: milliseconds per render (median
of --repeat) and per publish of each event with two and with every language; then times
`publish` itself (`publish_ms`: the languages in use read from Redis, where no socket is
connected, so only the workshop's own language renders; the frames go to the in-memory
channel layer).

    .venv/bin/python -m bench.render --participants 100 --postits 200 --repeat 30
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

from bench.grouping import board
from bench.harness import StackConfig, create_workshop, ensure_database, setup_django

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_render"
TIMED_EVENTS = ("postit.created", "postit.moved", "cluster.created", "phase.started")


def build_events(participants: int, postits: int, seed: int) -> tuple[int, list]:
    """A plenary board of `postits` post-its and the last event of each timed kind."""
    from django.contrib.auth import get_user_model

    from live.models import Event
    from workshops import services
    from workshops.actors import Actor, Role

    fixture = create_workshop(participants, "Réaménager le parc (rendu par langue)")
    workshop_id = fixture.workshop_id
    organizer = get_user_model().objects.get(username="bench-organizer")
    lead = Actor(workshop_id, Role.ORGANIZER, user_id=organizer.pk)
    written = []
    for index, (_id, text) in enumerate(board(postits, seed)):
        person = fixture.participant_ids[index % participants]
        author = Actor(workshop_id, Role.PARTICIPANT, participant_id=person)
        written.append(services.postit_create(actor=author, text=text[:280]).pk)
    services.postit_move(actor=lead, postit_id=written[0], index=1)
    services.cluster_create(actor=lead, name="Bancs", postit_ids=written[:10])
    phase = services.phase_add(
        actor=lead, title="Idées", minutes=15, scope="plenary", activity="brainstorm"
    )
    services.phase_start(actor=lead, phase_id=phase.pk)
    events = [
        Event.objects.filter(stream__workshop_id=workshop_id, name=name)
        .select_related("stream")
        .latest("seq")
        for name in TIMED_EVENTS
    ]
    return workshop_id, events


def median_ms(render, repeat: int) -> float:
    render()  # templates compiled and catalogs loaded before timing
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        render()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def measure(workshop_id: int, events: list, repeat: int) -> dict:
    from django.conf import settings

    from live.broadcast import event_frame

    languages = [code for code, _name in settings.LANGUAGES]
    per_render = {
        event.name: {
            language: median_ms(
                lambda event=event, language=language: event_frame(
                    workshop_id, event.stream.key, event, language
                ),
                repeat,
            )
            for language in languages
        }
        for event in events
    }
    return {
        "languages": languages,
        "render_ms": per_render,
        "publish_ms_two_languages": {
            name: round(sum(by_language[code] for code in languages[:2]), 2)
            for name, by_language in per_render.items()
        },
        "publish_ms_every_language": {
            name: round(sum(by_language.values()), 2) for name, by_language in per_render.items()
        },
    }


def publish_ms(workshop_id: int, events: list, repeat: int, redis_url: str) -> dict:
    from django.conf import settings

    from live.broadcast import publish
    from workshops.models import Workshop

    settings.REDIS_URL = redis_url  # after the fixtures, whose events went nowhere
    language = Workshop.objects.get(pk=workshop_id).language
    return {
        event.name: median_ms(
            lambda event=event: publish(workshop_id, event.stream.key, event, language), repeat
        )
        for event in events
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=100)
    parser.add_argument("--postits", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=DATABASE)
    args = parser.parse_args(argv)
    config = StackConfig(database_url=args.database_url)
    ensure_database(config)
    setup_django(config)
    workshop_id, events = build_events(args.participants, args.postits, args.seed)
    import django

    line = {
        "participants": args.participants,
        "postits": args.postits,
        "repeat": args.repeat,
        **measure(workshop_id, events, args.repeat),
        "publish_ms": publish_ms(workshop_id, events, args.repeat, config.redis_url),
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
