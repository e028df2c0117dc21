"""Idempotent commands: a client id, unique per actor, maps to one outcome forever."""

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import Protocol

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from live.models import CommandReceipt
from workshops.errors import Refused


def args_digest(name: str, args: Mapping[str, object]) -> str:
    canonical = json.dumps([name, args], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # A lone surrogate from a hostile frame is still one command's arguments: hash it as is.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class Command(Protocol):
    """One client command among several run together (`run_many_once`)."""

    actor_key: str
    client_id: str
    name: str
    args: Mapping[str, object]
    language: str  # of its refusal, if any


Outcome = dict | Refused
Key = tuple[str, str]  # actor, client id


def run_once(
    *,
    actor_key: str,
    client_id: str,
    name: str,
    args: Mapping[str, object],
    execute: Callable[[], dict],
) -> dict:
    """Run `execute` once per (actor, client id) and return its result on every replay.

    The receipt is written in the same transaction as the command's change, so a crash
    leaves either both or neither. A concurrent replay waits on the unique index until the
    first commits, then reads its result. A refused command leaves no receipt, so a replay
    is judged again and gets the same refusal. A refusal (or any error) raised by `execute`
    rolls the whole transaction back, the receipt with whatever it wrote.
    """
    command = Single(actor_key, client_id, name, args, translation.get_language())
    [outcome] = run_many_once([command], lambda _new: [execute()])
    if isinstance(outcome, Refused):  # the id was used for another command
        raise outcome
    return outcome


@dataclass(frozen=True)
class Single:
    """A command run alone (`run_once`)."""

    actor_key: str
    client_id: str
    name: str
    args: Mapping[str, object]
    language: str


def run_many_once(
    commands: Sequence[Command], execute_many: Callable[[list[int]], list[Outcome]]
) -> list[Outcome]:
    """`run_once` for several commands in one transaction: the outcome of each, as if they
    had come one after the other.

    `execute_many` gets the indexes of the new commands and returns their outcomes (a
    result, or a refusal that changed nothing); a replay is answered from its receipt; an
    id repeated within `commands` is a replay of its first. Refused commands leave no
    receipt, as in `run_once`.
    """
    digests = [args_digest(command.name, command.args) for command in commands]
    firsts: dict[Key, int] = {}
    for index, command in enumerate(commands):
        firsts.setdefault((command.actor_key, command.client_id), index)
    outcomes: list[Outcome | None] = [None] * len(commands)
    with transaction.atomic():
        claimed = claim_many(
            [
                (commands[i].actor_key, commands[i].client_id, commands[i].name, digests[i])
                for i in firsts.values()
            ]
        )
        new = [index for key, index in firsts.items() if key in claimed]
        replayed = {key: index for key, index in firsts.items() if key not in claimed}
        for key, receipt in earlier_receipts(replayed).items():
            index = replayed[key]
            outcomes[index] = _replay(commands[index], digests[index], receipt)
        refused, done = [], []
        executed = execute_many(new) if new else []  # nothing new: nothing to run
        for index, outcome in zip(new, executed, strict=True):
            outcomes[index] = outcome
            receipt_id = claimed[(commands[index].actor_key, commands[index].client_id)]
            if isinstance(outcome, Refused):
                refused.append(receipt_id)
            else:
                done.append(CommandReceipt(pk=receipt_id, result=outcome))
        CommandReceipt.objects.filter(pk__in=refused).delete()
        _save_results(done)
    for index, command in enumerate(commands):
        first = firsts[(command.actor_key, command.client_id)]
        if first != index:
            same = digests[first] == digests[index]
            outcomes[index] = outcomes[first] if same else _id_reused(command.language)
    return outcomes


def claim_many(claims: list[tuple[str, str, str, str]]) -> dict[Key, int]:
    """Insert the receipts of several commands (actor, client id, name, digest) in one
    statement: the receipt ids of those whose id was free. No savepoint: every command pays
    for this, and one around a plain insert (to survive its IntegrityError) costs two more
    round trips."""
    if not claims:
        return {}
    # In one order everywhere: two transactions claiming the same ids (a phone's queue
    # resent to two processes) wait for each other in turn instead of deadlocking.
    claims = sorted(claims)
    table = CommandReceipt._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(claims))
    values = [value for claimed in claims for value in (*claimed, now)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (actor, client_id, name, args_digest, created_at) "  # noqa: S608
            f"VALUES {rows} ON CONFLICT (actor, client_id) DO NOTHING "
            "RETURNING actor, client_id, id",
            values,
        )
        return {(actor, client_id): pk for actor, client_id, pk in cursor.fetchall()}


def _save_results(receipts: list[CommandReceipt]) -> None:
    if len(receipts) == 1:  # most commands come alone: a plain UPDATE, not bulk_update's CASE
        [receipt] = receipts
        CommandReceipt.objects.filter(pk=receipt.pk).update(result=receipt.result)
    else:
        CommandReceipt.objects.bulk_update(receipts, ["result"])


def earlier_receipts(keys: Mapping[Key, int]) -> dict[Key, CommandReceipt]:
    if not keys:
        return {}
    wanted = reduce(or_, (Q(actor=actor, client_id=client_id) for actor, client_id in keys))
    return {(r.actor, r.client_id): r for r in CommandReceipt.objects.filter(wanted)}


def _replay(command: Command, digest: str, earlier: CommandReceipt) -> Outcome:
    return earlier.result if earlier.args_digest == digest else _id_reused(command.language)


def _id_reused(language: str) -> Refused:
    with translation.override(language):
        return Refused("id_reused", _("This command id was already used for another command."))


# A phone's queue survives in its browser: keep receipts long after any workshop ends, so a
# command resent late is still recognized (and then refused by a closed workshop).
RECEIPTS_KEPT_FOR = timedelta(days=30)


def prune_receipts(job: object = None) -> dict:
    """A background job: forget receipts older than `RECEIPTS_KEPT_FOR`."""
    cutoff = timezone.now() - RECEIPTS_KEPT_FOR
    deleted, _by_model = CommandReceipt.objects.filter(created_at__lt=cutoff).delete()
    return {"deleted": deleted}
