"""How long a large workshop's minutes take, in every format (no server: the worker's work).

Builds a closed workshop in the benchmark's own PostgreSQL database: N participants (in
the room, remote, a tablet per table), G groups, P post-its from the brainstorm sample of
the tests with seeded variations, clusters, a dot vote, polls of every kind with everyone
answering, the groups' conclusions and a plenary vote on them, an agenda run through the
services (so that the event log has its timings). Then times each step of the minutes
job with time.perf_counter and prints one JSON line.

    .venv/bin/python -m bench.minutes --participants 300 --postits 2000 --repeat 3
"""

import argparse
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable

from bench.grouping import board
from bench.harness import StackConfig, ensure_database, setup_django

DATABASE = "postgres://postgres@127.0.0.1:5432/atelier_bench_minutes"


def build_workshop(participants: int, groups: int, postits: int, seed: int):
    """A closed workshop of this size, created mostly in bulk (the fixture is not timed)."""
    from django.contrib.auth import get_user_model

    from workshops import services
    from workshops.actors import Actor, Role
    from workshops.models import (
        Cluster,
        Conclusion,
        Dot,
        Participant,
        Phase,
        Poll,
        PollAnswer,
        PostIt,
    )

    rng = random.Random(seed)
    organizer, _created = get_user_model().objects.get_or_create(username="bench-organizer")
    workshop = services.workshop_create(
        organizer=organizer,
        title="Réaménager le parc Jean-Moulin (banc d'essai)",
        purpose="Choisir ensemble les aménagements du parc.",
        place="Salle des fêtes",
    )
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    phases = [
        services.phase_add(actor=lead, title=title, minutes=minutes, scope=scope, activity=kind)
        for title, minutes, scope, kind in (
            ("Sondages d'accueil", 5, "plenary", "poll"),
            ("Idées en groupes", 15, "breakouts", "brainstorm"),
            ("Vote par gommettes", 5, "breakouts", "dot_vote"),
            ("Conclusion de groupe", 15, "breakouts", "write"),
            ("Restitution et vote", 10, "plenary", "dot_vote"),
        )
    ]
    tables = groups // 2
    made = services.groups_create(actor=lead, count=tables, kind="table")
    made += services.groups_create(actor=lead, count=groups - tables, kind="online")
    people = Participant.objects.bulk_create(
        Participant(
            workshop=workshop,
            display_name=f"Participant {index}",
            location="room" if index % 3 else "remote",
            group=made[index % len(made)],
        )
        for index in range(participants)
    )
    people += Participant.objects.bulk_create(
        Participant(workshop=workshop, display_name=g.name, location="room", kind="tablet", group=g)
        for g in made[:tables]
    )
    clusters = Cluster.objects.bulk_create(
        Cluster(workshop=workshop, group=group, name=f"Thème {number}", position=number)
        for group in made
        for number in range(5)
    )
    texts = [text for _id, text in board(postits, seed)]
    notes = PostIt.objects.bulk_create(
        PostIt(
            workshop=workshop,
            group=author.group,
            author=author,
            text=text,
            cluster=rng.choice([None, *[c for c in clusters if c.group_id == author.group_id]]),
            position=index,
        )
        for index, (text, author) in enumerate(
            zip(texts, (rng.choice(people) for _ in texts), strict=True)
        )
    )
    PostIt.objects.filter(pk__in=[n.pk for n in notes[:: max(1, postits // 40)]]).update(
        hidden_at=time_now()
    )
    vote = Phase.objects.get(pk=phases[2].pk)
    by_group: dict[int, list] = {}
    for note in notes:
        by_group.setdefault(note.group_id, []).append(note)
    Dot.objects.bulk_create(
        Dot(phase=vote, participant=person, postit=rng.choice(by_group[person.group_id]))
        for person in people
        if by_group.get(person.group_id)
        for _dot in range(3)
    )
    for group in made:
        Conclusion.objects.create(
            workshop=workshop,
            group=group,
            markdown="## Priorités\n\n- Planter des **arbres**\n- Des bancs _à l'ombre_\n\n"
            "Le groupe propose aussi d'éclairer les allées et d'ajouter des jeux d'eau.",
        )
    for kind, options in (
        ("single", ["Oui", "Non", "Parfois"]),
        ("multiple", ["Jeux", "Bancs", "Arbres", "Éclairage", "Toilettes"]),
        ("scale", None),
        ("words", None),
        ("open", None),
    ):
        poll = services.poll_create(
            actor=lead,
            question=f"Question ({kind}) sur le parc ?",
            kind=kind,
            options=options,
            max_choices=3 if kind == "multiple" else 1,
            phase_id=phases[0].pk,
        )
        choices = list(poll.options.values_list("pk", flat=True))
        PollAnswer.objects.bulk_create(
            PollAnswer(poll=poll, participant=person, **answer(kind, choices, rng))
            for person in people
        )
    for phase in phases:
        services.phase_start(actor=lead, phase_id=phase.pk)
    conclusions = list(Conclusion.objects.filter(workshop=workshop))
    Dot.objects.bulk_create(
        Dot(phase_id=phases[4].pk, participant=person, conclusion=rng.choice(conclusions))
        for person in people
    )
    services.phase_note(actor=lead, phase_id=phases[1].pk, notes="Bonne énergie dans la salle.")
    services.workshop_close(actor=lead)
    workshop.refresh_from_db()
    assert Poll.objects.filter(workshop=workshop).count() == 5
    return workshop


def time_now():
    from django.utils import timezone

    return timezone.now()


def answer(kind: str, choices: list[int], rng: random.Random) -> dict:
    if kind == "single":
        return {"choices": [rng.choice(choices)]}
    if kind == "multiple":
        return {"choices": sorted(rng.sample(choices, 2))}
    if kind == "scale":
        return {"value": rng.randint(1, 5)}
    if kind == "words":
        return {"words": rng.sample(["ombre", "arbres", "jeux", "calme", "eau", "bancs"], 2)}
    return {"text": "Plus de poubelles", "approved": rng.random() < 0.5}


def timed(call: Callable[[], object], repeat: int) -> tuple[dict, object]:
    """Wall-clock time (median, slowest) and this process's CPU time (median): on a shared
    machine the CPU time says what the work costs, the wall time what a person waits."""
    seconds, cpu, result = [], [], None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = call()
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    figures = {
        "median_s": round(statistics.median(seconds), 3),
        "max_s": round(max(seconds), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
    }
    return figures, result


def measure(workshop, repeat: int, named: bool) -> dict:
    from django.utils import timezone
    from pypdf import PdfReader

    from workshops.minutes import opendata
    from workshops.minutes.render import (
        build_document,
        minutes_data,
        to_docx,
        to_html,
        to_markdown,
        to_pdf,
    )

    now = timezone.now()
    to_pdf("<p>warm-up</p>")  # fonts and pango, once per process, as in a worker
    timings, sizes = {}, {}
    timings["gather"], data = timed(lambda: minutes_data(workshop, named=named, now=now), repeat)
    timings["document"], document = timed(lambda: build_document(data), repeat)
    timings["markdown"], markdown = timed(lambda: to_markdown(document), repeat)
    timings["html"], html = timed(lambda: to_html(document), repeat)
    timings["pdf"], pdf = timed(lambda: to_pdf(html), repeat)
    timings["docx"], docx = timed(lambda: to_docx(document), repeat)
    timings["open_data"], data_set = timed(lambda: opendata.open_data(workshop, now=now), repeat)
    timings["json"], json_bytes = timed(lambda: opendata.to_json(data_set), repeat)
    timings["csv"], csvs = timed(
        lambda: [opendata.to_csv(data_set, table) for table in opendata.CSV_TABLES], repeat
    )
    sizes = {
        "markdown": len(markdown.encode()),
        "html": len(html.encode()),
        "pdf": len(pdf),
        "docx": len(docx),
        "json": len(json_bytes),
        "csv": sum(len(part) for part in csvs),
    }
    pdf_steps = ("gather", "document", "html", "pdf")
    return {
        "timings": timings,
        # What the job spends before the PDF exists: read, build, render HTML, lay out.
        "pdf_from_database_s": round(sum(timings[s]["median_s"] for s in pdf_steps), 3),
        "pdf_from_database_cpu_s": round(sum(timings[s]["cpu_median_s"] for s in pdf_steps), 3),
        "sizes_bytes": sizes,
        "pdf_pages": len(PdfReader(io.BytesIO(pdf)).pages),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--postits", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--named", action="store_true", help="named minutes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-url", default=DATABASE)
    args = parser.parse_args(argv)
    config = StackConfig(database_url=args.database_url)
    ensure_database(config)
    setup_django(config)
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    started = time.perf_counter()
    workshop = build_workshop(args.participants, args.groups, args.postits, args.seed)
    fixture_s = round(time.perf_counter() - started, 1)
    result = measure(workshop, args.repeat, args.named)
    import django
    import docx
    import weasyprint

    line = {
        "participants": args.participants,
        "groups": args.groups,
        "postits": args.postits,
        "named": args.named,
        "repeat": args.repeat,
        **result,
        "fixture_s": fixture_s,
        "python": platform.python_version(),
        "django": django.get_version(),
        "weasyprint": weasyprint.__version__,
        "python_docx": getattr(docx, "__version__", "?"),
        "load_average": os.getloadavg(),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
