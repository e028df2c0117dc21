"""The minutes' sections, in order. Each builder reads `MinutesData` and returns a Section,
or None when it has nothing to say (a workshop without polls has no "Polls" section).

`MINUTES_SECTIONS` names the builders by dotted path so that another app adds its own
section without this module importing it (docs/minutes.md, "Adding a section"): a builder
is `build(data: MinutesData) -> Section | None`, called with the workshop's language active.
"""

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from workshops import markdown as conclusion_markdown
from workshops.charts import format_percent, percentages
from workshops.minutes.content import BoardRecord, MinutesData, PostItEntry
from workshops.minutes.document import (
    Block,
    Chart,
    Facts,
    Heading,
    Item,
    Items,
    Paragraph,
    Quote,
    Run,
    Section,
    Table,
    runs,
)
from workshops.models import Group, Phase, Poll, Workshop
from workshops.selectors import PollResults
from workshops.templatetags.atelier import poll_chart

MINUTES_SECTIONS: list[str] = [
    "workshops.minutes.sections.overview",
    "workshops.minutes.sections.attendance",
    "workshops.minutes.sections.agenda",
    "workshops.minutes.sections.polls",
    "workshops.minutes.sections.group_work",
    "workshops.minutes.sections.plenary_vote",
    "deliberation.minutes.proposals",
    "workshops.minutes.sections.facilitator_notes",
    "workshops.minutes.sections.about",
]

TOP_IDEAS = 5


def build_sections(data: MinutesData) -> list[Section]:
    builders: list[Callable[[MinutesData], Section | None]] = [
        import_string(path) for path in MINUTES_SECTIONS
    ]
    return [section for section in (build(data) for build in builders) if section]


# Formatting helpers --------------------------------------------------------------------


def day(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT") if moment else ""


def time_zone() -> str:
    return timezone.get_current_timezone_name()


def clock(moment: datetime | None) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i") if moment else "—"


def duration(span: timedelta | None) -> str:
    """'12 min', '1 h 05' (minutes rounded to the nearest)."""
    if span is None:
        return "—"
    minutes = round(span.total_seconds() / 60)
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}


def number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def labelled(label: str, value: str) -> str:
    """'Label: value' with the language's punctuation (a space before the colon in French)."""
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def place_name(group: Group | None) -> str:
    return group.name if group else _("Plenary")


def dots_label(count: int) -> str:
    return ngettext("%(count)s dot", "%(count)s dots", count) % {"count": number(count)}


def postits_label(workshop: Workshop, count: int) -> str:
    """'7 post-its'; a name the organizer chose cannot be made plural: 'Idée: 7'."""
    if workshop.postit_label:
        return labelled(workshop.postit_label, number(count))
    return ngettext("%(count)s post-it", "%(count)s post-its", count) % {"count": number(count)}


def phase_label(phase: Phase) -> str:
    return f"{phase.position + 1}. {phase.title}"


# Sections ------------------------------------------------------------------------------


def overview(data: MinutesData) -> Section:
    workshop = data.workshop
    held_on = workshop.closed_at or first_start(data) or workshop.created_at
    facts = [
        (pgettext("minutes", "Date"), runs(day(held_on))),
        (pgettext("minutes", "Place"), runs(workshop.place or _("Not given"))),
        (pgettext("minutes", "Facilitation"), runs(", ".join(data.facilitators))),
    ]
    if workshop.closed_at:
        facts.append((pgettext("minutes", "Closed at"), runs(clock(workshop.closed_at))))
    section = Section("overview", _("Overview"))
    if workshop.purpose:
        section.add(Heading(3, pgettext("minutes", "Purpose")))
        section.add(*(Paragraph(runs(part)) for part in paragraphs(workshop.purpose)))
    totals = data.totals
    section.add(
        Facts(tuple(facts)),
        # Once for all: every time in the minutes is in the server's time zone.
        Paragraph(runs(_("Times are in %(zone)s time.") % {"zone": time_zone()})),
        Table(
            _("Key figures"),
            (pgettext("minutes table", "What"), pgettext("minutes table", "How many")),
            (
                (_("Participants"), number(totals["participants"])),
                (_("Groups"), number(len([b for b in data.boards if b.group]))),
                (workshop.postit_label or _("Post-its"), number(totals["postits"])),
                (_("Dots placed"), number(totals["dots"])),
                (_("Poll answers"), number(totals["answers"])),
            ),
            numeric=frozenset({1}),
        ),
    )
    return section


def first_start(data: MinutesData) -> datetime | None:
    starts = [t.phase.started_at for t in data.timings if t.phase.started_at]
    return min(starts) if starts else None


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]


def attendance(data: MinutesData) -> Section:
    rows = []
    for place in data.places:
        if place.group is None and not (place.people or place.tablets or place.scribes):
            continue
        rows.append(
            (
                place_name(place.group),
                number(place.room),
                number(place.remote),
                number(place.tablets),
                number(place.scribes),
                number(place.people),
            )
        )
    totals = [sum(getattr(p, key) for p in data.places) for key in ("room", "remote")]
    tablets = sum(p.tablets for p in data.places)
    scribes = sum(p.scribes for p in data.places)
    rows.append(
        (
            _("Total"),
            number(totals[0]),
            number(totals[1]),
            number(tablets),
            number(scribes),
            number(sum(totals)),
        )
    )
    section = Section("attendance", _("Attendance"))
    section.add(
        Paragraph(
            runs(
                _(
                    "Everyone who joined, where they were when the workshop ended. "
                    "A table tablet is shared by the people at its table; scribes typed "
                    "the tables' paper post-its."
                )
            ),
            muted=True,
        ),
        Table(
            _("Participants per group"),
            (
                pgettext("minutes table", "Place"),
                pgettext("minutes table", "In the room"),
                pgettext("minutes table", "Remote"),
                pgettext("minutes table", "Tablets"),
                pgettext("minutes table", "Scribes"),
                pgettext("minutes table", "People"),
            ),
            tuple(rows),
            numeric=frozenset({1, 2, 3, 4, 5}),
        ),
    )
    if data.named:
        items = tuple(
            Item(runs(labelled(place_name(place.group), ", ".join(place.names))))
            for place in data.places
            if place.names
        )
        if items:
            section.add(Heading(3, _("Participants")), Items(items))
    return section


def agenda(data: MinutesData) -> Section:
    rows = []
    for timing in data.timings:
        phase = timing.phase
        remarks = []
        if timing.pauses:
            remarks.append(
                ngettext("%(count)d pause", "%(count)d pauses", timing.pauses)
                % {"count": timing.pauses}
            )
        if timing.extensions:
            remarks.append(
                ngettext("extended %(count)d time", "extended %(count)d times", timing.extensions)
                % {"count": timing.extensions}
            )
        if phase.started_at is None:
            remarks.append(_("not held"))
        rows.append(
            (
                phase_label(phase),
                f"{phase.get_scope_display()} · {phase.get_activity_display()}",
                duration(timedelta(minutes=phase.planned_minutes)),
                clock(phase.started_at),
                clock(phase.ended_at),
                duration(timing.active or timing.elapsed),
                ", ".join(remarks),
            )
        )
    section = Section("agenda", _("Agenda and timings"))
    if not rows:
        return section.add(Paragraph(runs(_("The agenda was empty.")), muted=True))
    return section.add(
        Table(
            _("Planned and actual timings"),
            (
                pgettext("minutes table", "Phase"),
                pgettext("minutes table", "Format"),
                pgettext("minutes table", "Planned"),
                pgettext("minutes table", "Start"),
                pgettext("minutes table", "End"),
                pgettext("minutes table", "Actual"),
                pgettext("minutes table", "Remarks"),
            ),
            tuple(rows),
            numeric=frozenset({2, 3, 4, 5}),
        ),
        Paragraph(
            runs(_("Actual durations count the time a phase ran, without its pauses.")),
            muted=True,
        ),
    )


def polls(data: MinutesData) -> Section | None:
    if not data.polls:
        return None
    section = Section("polls", _("Polls"))
    for phase, results_list in data.polls:
        section.add(Heading(3, phase_label(phase) if phase else _("Other polls")))
        for results in results_list:
            section.add(*poll_blocks(results))
    return section


def poll_blocks(results: PollResults) -> list[Block]:
    poll = results.poll
    where = place_name(poll.group)
    facts = [where, poll.get_kind_display()]
    facts.append(
        ngettext("%(count)s answer", "%(count)s answers", results.respondents)
        % {"count": number(results.respondents)}
    )
    if results.mean is not None:
        facts.append(_("average %(mean)s / 5") % {"mean": formats.number_format(results.mean, 1)})
    blocks: list[Block] = [Heading(4, poll.question), Paragraph(runs(" · ".join(facts)))]
    if poll.results == Poll.Results.HIDDEN:
        blocks.append(Paragraph(runs(_("The results were not shown to participants.")), muted=True))
    if not results.respondents:
        return [*blocks, Paragraph(runs(_("Nobody answered.")), muted=True)]
    if poll.kind == Poll.Kind.OPEN:
        answers = tuple(Item(runs(answer.text)) for answer in results.approved)
        if answers:
            blocks.append(Items(answers))
        if results.pending:
            blocks.append(
                Paragraph(
                    runs(
                        ngettext(
                            "%(count)s answer was not approved by the facilitators and "
                            "is not reproduced.",
                            "%(count)s answers were not approved by the facilitators and "
                            "are not reproduced.",
                            len(results.pending),
                        )
                        % {"count": number(len(results.pending))}
                    ),
                    muted=True,
                )
            )
        return blocks
    blocks.append(Chart(poll_chart(results), poll.question))
    blocks.append(poll_table(results))
    return blocks


def poll_table(results: PollResults) -> Table:
    poll = results.poll
    if poll.kind == Poll.Kind.WORDS:
        pairs = [(word, count) for word, count in results.words]
        heading = pgettext("minutes table", "Word")
    elif poll.kind == Poll.Kind.SCALE:
        pairs = [(str(value), count) for value, count in results.scale]
        heading = pgettext("minutes table", "Value")
    else:
        pairs = [(option.label, count) for option, count in results.options]
        heading = pgettext("minutes table", "Answer")
    counts = [count for _label, count in pairs]
    # Several choices each (multiple choice, words): a share is of the people who answered.
    total = None if poll.kind in (Poll.Kind.SINGLE, Poll.Kind.SCALE) else results.respondents
    shares = percentages(counts, total)
    return Table(
        _("Results: %(question)s") % {"question": poll.question},
        (heading, pgettext("minutes table", "Answers"), pgettext("minutes table", "Share")),
        tuple(
            (label, number(count), format_percent(share))
            for (label, count), share in zip(pairs, shares, strict=True)
        ),
        numeric=frozenset({1, 2}),
    )


def group_work(data: MinutesData) -> Section | None:
    if not data.boards:
        return None
    section = Section("groups", _("Work of the plenary and the groups"))
    for board in data.boards:
        section.add(*board_blocks(data, board))
    return section


def board_blocks(data: MinutesData, board: BoardRecord) -> list[Block]:
    name = data.workshop.postit_name
    entries = board.entries
    summary = postits_label(data.workshop, len(entries))
    blocks: list[Block] = [Heading(3, place_name(board.group))]
    if board.group is not None:
        summary = f"{board.group.get_kind_display()} · {summary}"
    blocks.append(Paragraph(runs(summary)))
    voted = sorted((e for e in entries if e.dots), key=lambda e: -e.dots)[:TOP_IDEAS]
    if voted:
        blocks.append(
            Table(
                _("Most supported"),
                ("#", name, pgettext("minutes table", "Dots")),
                tuple(
                    (str(rank), entry.postit.text, number(entry.dots))
                    for rank, entry in enumerate(voted, start=1)
                ),
                numeric=frozenset({0, 2}),
            )
        )
    for lane in board.lanes:
        if not lane.entries:
            continue
        title = lane.cluster.name if lane.cluster else _("Not sorted into a cluster")
        count = ngettext("%(count)s item", "%(count)s items", len(lane.entries)) % {
            "count": number(len(lane.entries))
        }
        details = f"{count}, {dots_label(lane.dots)}" if lane.dots else count
        blocks.append(Heading(4, f"{title} ({details})"))
        blocks.append(Items(tuple(postit_item(entry) for entry in lane.entries)))
    if board.group is not None:
        blocks.append(Heading(4, _("Conclusion of %(group)s") % {"group": board.group.name}))
        text = board.conclusion.markdown if board.conclusion else ""
        if text.strip():
            blocks.append(Quote(tuple(conclusion_blocks(text))))
        else:
            blocks.append(Paragraph(runs(_("No conclusion was written.")), muted=True))
    return blocks


def postit_item(entry: PostItEntry) -> Item:
    parts: list[str | Run] = [entry.postit.text]
    if entry.dots:
        parts.append(Run(f" — {dots_label(entry.dots)}", bold=True))
    if entry.author:
        parts.append(Run(f" ({entry.author})", italic=True))
    children = tuple(
        Item(runs(_("Merged: %(text)s") % {"text": text})) for text in entry.merged_texts
    )
    return Item(runs(*parts), children)


def conclusion_blocks(text: str) -> list[Block]:
    """A conclusion's Markdown (the editor's: headings, lists, bold, italics) as blocks,
    read with the same rules as the pages' rendering (workshops.markdown)."""
    blocks: list[Block] = []
    for block in (b.strip("\n") for b in text.split("\n\n") if b.strip()):
        lines = block.split("\n")
        for marker, numbered in (
            (conclusion_markdown.BULLET, False),
            (conclusion_markdown.NUMBERED, True),
        ):
            if all(marker.match(line) for line in lines):
                items = tuple(Item(inline(marker.match(line)[1])) for line in lines)
                blocks.append(Items(items, numbered=numbered))
                break
        else:
            heading = conclusion_markdown.HEADING.match(block)
            if heading and len(lines) == 1:
                blocks.append(Heading(5, heading[2].replace("**", "")))
            else:
                blocks.extend(Paragraph(inline(line)) for line in lines)
    return blocks


def inline(text: str) -> tuple[Run, ...]:
    """Bold and italic spans of a line, as runs."""
    result: list[Run] = []
    for index, part in enumerate(conclusion_markdown.BOLD.split(text)):
        bold = index % 2 == 1
        for jndex, piece in enumerate(conclusion_markdown.ITALIC.split(part)):
            if piece:
                result.append(Run(piece, bold=bold, italic=jndex % 2 == 1))
    return tuple(result)


def plenary_vote(data: MinutesData) -> Section | None:
    if not data.conclusion_votes:
        return None
    section = Section("plenary-vote", _("Plenary vote on the conclusions"))
    for vote in data.conclusion_votes:
        section.add(
            Table(
                phase_label(vote.phase),
                (
                    pgettext("minutes table", "Rank"),
                    pgettext("minutes table", "Group"),
                    pgettext("minutes table", "Dots"),
                ),
                tuple(
                    (str(rank), group.name, number(count))
                    for rank, (group, count) in enumerate(vote.ranking, start=1)
                ),
                numeric=frozenset({0, 2}),
            )
        )
    return section


def facilitator_notes(data: MinutesData) -> Section | None:
    noted = [timing.phase for timing in data.timings if timing.phase.notes.strip()]
    if not noted:
        return None
    section = Section("notes", _("Facilitators' notes"))
    for phase in noted:
        section.add(Heading(3, phase_label(phase)))
        section.add(*(Paragraph(runs(part)) for part in paragraphs(phase.notes)))
    return section


def about(data: MinutesData) -> Section:
    withheld = data.withheld
    lines = [
        _(
            "These minutes were generated by Atelier from what was recorded during the "
            "workshop: contributions, votes and answers as they stood at the end, and the "
            "timings of the event log."
        ),
    ]
    if data.workshop.anonymous:
        lines.append(_("Post-its were anonymous: their authors are not named."))
    elif not data.named:
        lines.append(_("Participants are not named in these minutes."))
    hidden, deleted = withheld["hidden"], withheld["deleted"]
    if hidden:
        lines.append(
            ngettext(
                "%(count)s post-it hidden by the facilitators is not reproduced.",
                "%(count)s post-its hidden by the facilitators are not reproduced.",
                hidden,
            )
            % {"count": number(hidden)}
        )
    if deleted:
        lines.append(
            ngettext(
                "%(count)s post-it deleted by its author is not reproduced.",
                "%(count)s post-its deleted by their authors are not reproduced.",
                deleted,
            )
            % {"count": number(deleted)}
        )
    section = Section("about", _("About these minutes"))
    return section.add(*(Paragraph(runs(line), muted=True) for line in lines))
