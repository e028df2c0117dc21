"""The commands a live client may send, mapped to services, with strict argument checks."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from live.ratelimit import check_rate
from live.receipts import Outcome, run_many_once, run_once
from workshops import services
from workshops.actors import Actor
from workshops.errors import Refused
from workshops.models import Participant

Args = Mapping[str, Any]


def _only(args: Args, *, required: set[str], optional: set[str] = frozenset()) -> None:
    missing = required - args.keys()
    unknown = args.keys() - required - optional
    if missing:
        raise Refused(
            "missing_field",
            _("Missing field: %(fields)s.") % {"fields": ", ".join(sorted(missing))},
        )
    if unknown:
        raise Refused(
            "unknown_field",
            _("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
        )


def _postit_create(actor: Actor, args: Args) -> dict:
    _only(args, required={"text"}, optional={"color", "signature", "table"})
    postit = services.postit_create(
        actor=actor, text=args["text"], **_present(args, "color", "signature", "table")
    )
    return {"postit": postit.pk}


def _present(args: Args, *names: str) -> dict:
    return {name: args[name] for name in names if name in args}


def _postit_update(actor: Actor, args: Args) -> dict:
    _only(args, required={"postit", "text"}, optional={"color"})
    postit = services.postit_update(
        actor=actor, postit_id=args["postit"], text=args["text"], color=args.get("color")
    )
    return {"postit": postit.pk}


def _on_postit(service: Callable[..., object]) -> Callable[[Actor, Args], dict]:
    def handler(actor: Actor, args: Args) -> dict:
        _only(args, required={"postit"})
        service(actor=actor, postit_id=args["postit"])
        return {"postit": args["postit"]}

    return handler


def _postit_move(actor: Actor, args: Args) -> dict:
    _only(args, required={"postit", "cluster"}, optional={"index"})
    postit = services.postit_move(
        actor=actor, postit_id=args["postit"], cluster_id=args["cluster"], index=args.get("index")
    )
    return {"postit": postit.pk, "cluster": postit.cluster_id}


def _postit_merge(actor: Actor, args: Args) -> dict:
    _only(args, required={"postit", "into"})
    target = services.postit_merge(actor=actor, postit_id=args["postit"], into_id=args["into"])
    return {"postit": target.pk}


def _cluster_create(actor: Actor, args: Args) -> dict:
    _only(args, required={"name"}, optional={"group", "postits"})
    cluster = services.cluster_create(
        actor=actor, name=args["name"], group_id=args.get("group"), postit_ids=args.get("postits")
    )
    return {"cluster": cluster.pk}


def _cluster_rename(actor: Actor, args: Args) -> dict:
    _only(args, required={"cluster", "name"})
    cluster = services.cluster_rename(actor=actor, cluster_id=args["cluster"], name=args["name"])
    return {"cluster": cluster.pk}


def _cluster_dissolve(actor: Actor, args: Args) -> dict:
    _only(args, required={"cluster"})
    services.cluster_dissolve(actor=actor, cluster_id=args["cluster"])
    return {}


def _board_open(actor: Actor, args: Args) -> dict:
    _only(args, required={"open"})
    return {"open": services.board_open(actor=actor, open=args["open"]).board_open}


def _on_dot(service: Callable[..., dict]) -> Callable[[Actor, Args], dict]:
    def handler(actor: Actor, args: Args) -> dict:
        _only(args, required=set(), optional={"postit", "conclusion"})
        return service(
            actor=actor, postit_id=args.get("postit"), conclusion_id=args.get("conclusion")
        )

    return handler


POLL_FIELDS = {"options", "max_choices", "results", "tablet_per_person", "group", "phase"}


def _poll_create(actor: Actor, args: Args) -> dict:
    _only(args, required={"question", "kind"}, optional=POLL_FIELDS)
    renamed = {"group": "group_id", "phase": "phase_id"}
    fields = {renamed.get(name, name): args[name] for name in POLL_FIELDS if name in args}
    poll = services.poll_create(actor=actor, question=args["question"], kind=args["kind"], **fields)
    return {"poll": poll.pk}


def _on_poll(service: Callable[..., object]) -> Callable[[Actor, Args], dict]:
    def handler(actor: Actor, args: Args) -> dict:
        _only(args, required={"poll"})
        service(actor=actor, poll_id=args["poll"])
        return {"poll": args["poll"]}

    return handler


def _poll_update(actor: Actor, args: Args) -> dict:
    _only(args, required={"poll", "question"}, optional={"options"})
    services.poll_update(
        actor=actor, poll_id=args["poll"], question=args["question"], options=args.get("options")
    )
    return {"poll": args["poll"]}


def _poll_answer(actor: Actor, args: Args) -> dict:
    _only(args, required={"poll", "answer"})
    return services.poll_answer(actor=actor, poll_id=args["poll"], answer=args["answer"])


def _poll_moderate(actor: Actor, args: Args) -> dict:
    _only(args, required={"answer", "approved"})
    answer = services.poll_moderate(
        actor=actor, answer_id=args["answer"], approved=args["approved"]
    )
    return {"answer": answer.pk, "approved": answer.approved}


def _conclusion_lock(actor: Actor, args: Args) -> dict:
    _only(args, required={"group", "locked"})
    conclusion = services.conclusion_lock(
        actor=actor, group_id=args["group"], locked=args["locked"]
    )
    return {"group": conclusion.group_id, "locked": conclusion.locked}


def _conclusions_share(actor: Actor, args: Args) -> dict:
    _only(args, required={"shared"})
    services.conclusions_share(actor=actor, shared=args["shared"])
    return {"shared": args["shared"]}


def _conclusions_vote(actor: Actor, args: Args) -> dict:
    _only(args, required=set())
    phase = services.conclusions_vote_start(actor=actor)
    return {"phase": phase.pk}


PHASE_FIELDS = {"title", "minutes", "scope", "activity"}
DOT_FIELDS = {"dots", "dots_stack", "dots_live"}


def _phase_add(actor: Actor, args: Args) -> dict:
    _only(args, required=PHASE_FIELDS, optional=DOT_FIELDS)
    return {"phase": services.phase_add(actor=actor, **args).pk}


def _phase_update(actor: Actor, args: Args) -> dict:
    _only(args, required={"phase", *PHASE_FIELDS}, optional=DOT_FIELDS)
    fields = {name: args[name] for name in PHASE_FIELDS | DOT_FIELDS if name in args}
    return {"phase": services.phase_update(actor=actor, phase_id=args["phase"], **fields).pk}


def _phase_move(actor: Actor, args: Args) -> dict:
    _only(args, required={"phase", "to"})
    return {"phase": services.phase_move(actor=actor, phase_id=args["phase"], to=args["to"]).pk}


def _phase_remove(actor: Actor, args: Args) -> dict:
    _only(args, required={"phase"})
    services.phase_remove(actor=actor, phase_id=args["phase"])
    return {}


def _phase_note(actor: Actor, args: Args) -> dict:
    _only(args, required={"phase", "notes"})
    phase = services.phase_note(actor=actor, phase_id=args["phase"], notes=args["notes"])
    return {"phase": phase.pk}


def _phase_start(actor: Actor, args: Args) -> dict:
    _only(args, required={"phase"})
    return {"phase": services.phase_start(actor=actor, phase_id=args["phase"]).pk}


def _phase_extend(actor: Actor, args: Args) -> dict:
    _only(args, required={"minutes"})
    return {"phase": services.phase_extend(actor=actor, minutes=args["minutes"]).pk}


def _groups_create(actor: Actor, args: Args) -> dict:
    _only(args, required={"count", "kind"})
    groups = services.groups_create(actor=actor, count=args["count"], kind=args["kind"])
    return {"groups": [group.pk for group in groups]}


def _group_rename(actor: Actor, args: Args) -> dict:
    _only(args, required={"group", "name"})
    group = services.group_rename(actor=actor, group_id=args["group"], name=args["name"])
    return {"group": group.pk}


def _group_delete(actor: Actor, args: Args) -> dict:
    _only(args, required={"group"})
    services.group_delete(actor=actor, group_id=args["group"])
    return {}


def _participants_assign(actor: Actor, args: Args) -> dict:
    _only(args, required={"strategy"})
    assignment = services.participants_assign(actor=actor, strategy=args["strategy"])
    return {"assigned": len(assignment)}


def _participant_move(actor: Actor, args: Args) -> dict:
    _only(args, required={"participant", "group"})
    participant = services.participant_move(
        actor=actor, participant_id=args["participant"], group_id=args["group"]
    )
    return {"participant": participant.pk, "group": participant.group_id}


def _broadcast_send(actor: Actor, args: Args) -> dict:
    _only(args, required={"text"})
    return {"broadcast": services.broadcast_send(actor=actor, text=args["text"]).pk}


def _groups_configure(actor: Actor, args: Args) -> dict:
    _only(args, required={"self_choice", "video_url_template"})
    services.groups_configure(
        actor=actor,
        self_choice=args["self_choice"],
        video_url_template=args["video_url_template"],
    )
    return {}


def _hand_lower(actor: Actor, args: Args) -> dict:
    _only(args, required=set(), optional={"participant"})
    participant = services.hand_lower(actor=actor, participant_id=args.get("participant"))
    return {"participant": participant.pk}


def _speaker_call_next(actor: Actor, args: Args) -> dict:
    _only(args, required=set())
    speaker = services.speaker_call_next(actor=actor)
    return {"speaker": speaker.pk if speaker else None}


def _tablet_pairing(actor: Actor, args: Args) -> dict:
    _only(args, required={"group"})
    group = services.tablet_pairing_open(actor=actor, group_id=args["group"])
    return {"group": group.pk, "pairing_code": group.pairing_code}


def _without_args(
    service: Callable[..., object], result_key: str | None = None
) -> Callable[[Actor, Args], dict]:
    """A command that takes no argument; `result_key` names the id of what it returns."""

    def handler(actor: Actor, args: Args) -> dict:
        _only(args, required=set())
        outcome = service(actor=actor)
        return {result_key: outcome.pk} if result_key else {}

    return handler


COMMANDS: dict[str, Callable[[Actor, Args], dict]] = {
    "postit.create": _postit_create,
    "postit.update": _postit_update,
    "postit.delete": _on_postit(services.postit_delete),
    "postit.hide": _on_postit(services.postit_hide),
    "postit.restore": _on_postit(services.postit_restore),
    "postit.move": _postit_move,
    "postit.merge": _postit_merge,
    "cluster.create": _cluster_create,
    "cluster.rename": _cluster_rename,
    "cluster.dissolve": _cluster_dissolve,
    "board.open": _board_open,
    "dot.add": _on_dot(services.dot_add),
    "poll.create": _poll_create,
    "poll.update": _poll_update,
    "poll.open": _on_poll(services.poll_open),
    "poll.close": _on_poll(services.poll_close),
    "poll.delete": _on_poll(services.poll_delete),
    "poll.answer": _poll_answer,
    "poll.moderate": _poll_moderate,
    "conclusion.lock": _conclusion_lock,
    "conclusions.share": _conclusions_share,
    "conclusions.vote": _conclusions_vote,
    "dot.remove": _on_dot(services.dot_remove),
    "phase.add": _phase_add,
    "phase.update": _phase_update,
    "phase.note": _phase_note,
    "phase.move": _phase_move,
    "phase.remove": _phase_remove,
    "phase.start": _phase_start,
    "phase.pause": _without_args(services.phase_pause, "phase"),
    "phase.resume": _without_args(services.phase_resume, "phase"),
    "phase.extend": _phase_extend,
    "phase.end": _without_args(services.phase_end, "phase"),
    "groups.create": _groups_create,
    "groups.configure": _groups_configure,
    "group.rename": _group_rename,
    "group.delete": _group_delete,
    "participants.assign": _participants_assign,
    "participant.move": _participant_move,
    "breakouts.open": _without_args(services.breakouts_open),
    "breakouts.close": _without_args(services.breakouts_close),
    "broadcast.send": _broadcast_send,
    "hand.raise": _without_args(services.hand_raise),
    "hand.lower": _hand_lower,
    "speaker.next": _speaker_call_next,
    "speaker.done": _without_args(services.speaker_done),
    "tablet.pairing": _tablet_pairing,
    "workshop.close": _without_args(services.workshop_close),
    "workshop.reopen": _without_args(services.workshop_reopen),
}


def erased_among(participant_ids: set[int | None]) -> set[int]:
    """Those of these participants whose identity was erased (a socket opened before the
    erasure acts as nobody any more)."""
    ids = sorted(participant_ids - {None})
    if not ids:
        return set()
    # Every command pays for this check: one plain statement, not the ORM's compiling of
    # a query (three times its cost here: docs/performance.md).
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Participant._meta.db_table} "  # noqa: S608 (table name is ours)
            f"WHERE id IN ({marks}) AND anonymized_at IS NOT NULL",
            ids,
        )
        return {row[0] for row in cursor.fetchall()}


def execute_command(*, actor: Actor, client_id: str, name: str, args: Args) -> dict:
    """Run a client command once; a replay of the same id returns the original result."""
    handler = COMMANDS.get(name)
    if handler is None:
        raise Refused("unknown_command", _("Unknown command: %(name)s.") % {"name": name})

    def execute() -> dict:
        if actor.participant_id is not None and erased_among({actor.participant_id}):
            raise Refused("unauthenticated", _("Please join the workshop again."))
        # Only a new command counts against the pace: a replay is answered from its receipt.
        check_rate(actor_key=actor.key, command=name, shared_device=actor.shared_device)
        return handler(actor, args)

    return run_once(actor_key=actor.key, client_id=client_id, name=name, args=args, execute=execute)


# Commands that sockets of a process may send together (live/batches.py): a poll storm.
POLL_ANSWER = "poll.answer"


@dataclass(frozen=True)
class Submitted:
    """A client command waiting to run with others of its name."""

    actor: Actor
    client_id: str
    name: str
    args: Args
    language: str

    @property
    def actor_key(self) -> str:
        return self.actor.key


def execute_poll_answers(commands: list[Submitted]) -> list[Outcome]:
    """Many `poll.answer` commands in one transaction, each with the outcome
    `execute_command` would give it (`services.poll_answer_many` says why)."""

    def execute_many(indexes: list[int]) -> list[Outcome]:
        outcomes: dict[int, Outcome] = {}
        asked: dict[int, services.Answering] = {}
        gone = erased_among({commands[index].actor.participant_id for index in indexes})
        for index in indexes:
            command = commands[index]
            with translation.override(command.language):
                try:
                    if command.actor.participant_id in gone:
                        raise Refused("unauthenticated", _("Please join the workshop again."))
                    check_rate(
                        actor_key=command.actor.key,
                        command=POLL_ANSWER,
                        shared_device=command.actor.shared_device,
                    )
                    _only(command.args, required={"poll", "answer"})
                except Refused as refusal:
                    outcomes[index] = refusal
                    continue
            asked[index] = services.Answering(
                command.actor, command.args["poll"], command.args["answer"], command.language
            )
        answered = services.poll_answer_many(list(asked.values()))
        outcomes.update(zip(asked, answered, strict=True))
        return [outcomes[index] for index in indexes]

    return run_many_once(commands, execute_many)
