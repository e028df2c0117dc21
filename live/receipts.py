"""Idempotent commands: a client id, unique per actor, maps to one outcome forever."""

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from live.models import CommandReceipt
from workshops.errors import Refused


def args_digest(name: str, args: Mapping[str, object]) -> str:
    canonical = json.dumps([name, args], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # A lone surrogate from a hostile frame is still one command's arguments: hash it as is.
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


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
    is judged again and gets the same refusal.
    """
    digest = args_digest(name, args)
    with transaction.atomic():
        receipt_id = claim(actor_key=actor_key, client_id=client_id, name=name, digest=digest)
        if receipt_id is None:
            earlier = CommandReceipt.objects.get(actor=actor_key, client_id=client_id)
            if earlier.args_digest != digest:
                raise Refused(
                    "id_reused", _("This command id was already used for another command.")
                )
            return earlier.result
        result = execute()
        CommandReceipt.objects.filter(pk=receipt_id).update(result=result)
        return result


def claim(*, actor_key: str, client_id: str, name: str, digest: str) -> int | None:
    """Insert the command's receipt and return its id, or None when the id is taken.

    One statement, no savepoint: every command pays for this, and a savepoint around a
    plain insert (to survive its IntegrityError) costs two more round trips."""
    table = CommandReceipt._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (actor, client_id, name, args_digest, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (actor, client_id) DO NOTHING RETURNING id",
            [actor_key, client_id, name, digest, timezone.now()],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


# A phone's queue survives in its browser: keep receipts long after any workshop ends, so a
# command resent late is still recognized (and then refused by a closed workshop).
RECEIPTS_KEPT_FOR = timedelta(days=30)


def prune_receipts(job: object = None) -> dict:
    """A background job: forget receipts older than `RECEIPTS_KEPT_FOR`."""
    cutoff = timezone.now() - RECEIPTS_KEPT_FOR
    deleted, _by_model = CommandReceipt.objects.filter(created_at__lt=cutoff).delete()
    return {"deleted": deleted}
