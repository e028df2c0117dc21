"""The commands a live client may send, mapped to services, with strict argument checks."""

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

from live.receipts import run_once
from workshops import services
from workshops.actors import Actor
from workshops.errors import Refused

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
    _only(args, required={"text"}, optional={"color"})
    postit = services.postit_create(actor=actor, text=args["text"], **_present(args, "color"))
    return {"postit": postit.pk}


def _present(args: Args, *names: str) -> dict:
    return {name: args[name] for name in names if name in args}


COMMANDS: dict[str, Callable[[Actor, Args], dict]] = {
    "postit.create": _postit_create,
}


def execute_command(*, actor: Actor, client_id: str, name: str, args: Args) -> dict:
    """Run a client command once; a replay of the same id returns the original result."""
    handler = COMMANDS.get(name)
    if handler is None:
        raise Refused("unknown_command", _("Unknown command: %(name)s.") % {"name": name})
    return run_once(
        actor_key=actor.key,
        client_id=client_id,
        name=name,
        args=args,
        execute=lambda: handler(actor, args),
    )
