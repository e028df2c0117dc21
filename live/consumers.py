"""The workshop socket: parse and validate frames, check who asks, call a service, ack.

It never writes models itself and keeps no state that matters when it dies: the event log
and the resync handshake are the source of truth (docs/protocol.md). Live frames do not
pass through it: the process's fan-out hub (live/hub.py) writes them to the socket.
"""

import asyncio
import base64
import json
import logging
import re
import time
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _

from config.serve import MAX_MESSAGE_BYTES
from live.batches import batcher
from live.hub import SEND_KEY, Outlet, hub
from live.orm import orm
from live.ratelimit import check_hello_rate
from live.resync import catch_up
from live.snapshots import bind_loop
from live.streams import is_stream_key, layer_group
from workshops.actors import Actor, Role, View, resolve_actor
from workshops.commands import Submitted, execute_command
from workshops.errors import Refused, SlowDown
from workshops.fragments import current_tallies
from workshops.models import Workshop
from workshops.selectors import followed_streams
from workshops.services import presence_touch
from workshops.services.conclusions import (
    conclusion_editing,
    conclusion_sync,
    conclusion_update,
)

logger = logging.getLogger(__name__)

COMMAND_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_STREAMS_IN_HELLO = 200
# Presence is written at most this often per socket (pings come every 25 s).
PRESENCE_EVERY_S = 20
# A hello this soon after the connect's identification does not ask again who this is.
IDENTITY_FRESH_S = 2.0


class CloseCode:
    """Application close codes, listed in docs/protocol.md: 4009 and 4013 say what 1009 and
    1013 would (daphne, the server before uvicorn, could not send those; clients know these)."""

    TOO_LARGE = 4009
    TRY_AGAIN = 4013
    UNAUTHENTICATED = 4401
    NOT_FOUND = 4404


class WorkshopConsumer(AsyncWebsocketConsumer):
    # No channel per socket: the hub subscribes once per stream and writes live frames to
    # the socket itself (live/hub.py).
    channel_layer_alias = None
    actor: Actor | None = None
    language: str = settings.LANGUAGE_CODE
    outlet: Outlet | None = None
    welcomed_positions: dict[str, int] | None = None  # set by a hello's welcome
    ready = False  # documents sync only after the first welcome
    presence_noted_at = 0.0
    identified_at = 0.0

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the socket ended (disconnect() may never run), the hub forgets it.
            if self.outlet is not None:
                hub().leave(self.outlet)

    async def connect(self) -> None:
        bind_loop(asyncio.get_running_loop())  # where vote counts are coalesced
        workshop_id = self.scope["url_route"]["kwargs"]["workshop_id"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        await self.accept()
        try:
            view = View(query.get("view", [View.PARTICIPANT])[0])
        except ValueError:
            await self.refuse_connection(CloseCode.NOT_FOUND, "not_found", _("Unknown page."))
            return
        self.workshop_id, self.view = workshop_id, view
        found, self.actor, self.language = await self.identify(workshop_id, view)
        send = self.scope.get(SEND_KEY, self.base_send)
        self.outlet = Outlet(
            send,
            self.language,
            close=lambda: self.close(CloseCode.TRY_AGAIN),
            workshop_id=workshop_id,
        )
        with translation.override(self.language):
            if not found:
                message = _("This workshop does not exist.")
                await self.refuse_connection(CloseCode.NOT_FOUND, "not_found", message)
            elif self.actor is None:
                message = _("Please join the workshop before connecting.")
                await self.refuse_connection(CloseCode.UNAUTHENTICATED, "unauthenticated", message)

    @orm
    def identify(self, workshop_id: int, view: View) -> tuple[bool, Actor | None, str]:
        return self.identify_now(workshop_id, view)

    def identify_now(self, workshop_id: int, view: View) -> tuple[bool, Actor | None, str]:
        self.identified_at = time.monotonic()
        workshop = Workshop.objects.filter(pk=workshop_id).first()
        if workshop is None:
            return False, None, settings.LANGUAGE_CODE
        actor = resolve_actor(
            workshop=workshop, user=self.scope.get("user"), session=self.scope["session"], view=view
        )
        return True, actor, self.preferred_language(workshop)

    def preferred_language(self, workshop: Workshop) -> str:
        chosen = self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in dict(settings.LANGUAGES):
            return chosen
        return workshop.language

    async def refuse_connection(self, close_code: int, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "id": None, "code": code, "message": message})
        await self.close(close_code)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.actor is None:
            return  # refused at connect; the close is on its way
        with translation.override(self.language):
            if text_data is None:
                await self.send_error(None, "bad_frame", _("Only text frames are accepted."))
                return
            size = len(text_data.encode())
            if size > settings.LIVE_MAX_DOC_FRAME_BYTES:
                await self.refuse_too_large()
                return
            await self.receive_frame(text_data, size)

    async def refuse_too_large(self) -> None:
        await self.send_error(None, "too_large", _("This message is too large."))
        await self.close(CloseCode.TOO_LARGE)

    async def receive_frame(self, text_data: str, size: int) -> None:
        # Only document updates may be larger: edits made offline arrive in one frame.
        large = size > settings.LIVE_MAX_FRAME_BYTES
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            if large:
                await self.refuse_too_large()
                return
            await self.send_error(None, "bad_json", _("This message is not valid JSON."))
            return
        if large and not (isinstance(frame, dict) and frame.get("type") == "doc.update"):
            await self.refuse_too_large()
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error(None, "bad_frame", _("A message needs a type."))
            return
        handler = {
            "hello": self.on_hello,
            "cmd": self.on_command,
            "ping": self.on_ping,
            "doc.sync": self.on_doc_sync,
            "doc.update": self.on_doc_update,
            "doc.editing": self.on_doc_editing,
        }.get(frame["type"])
        if handler is None:
            await self.send_error(None, "unknown_type", _("Unknown message type."))
            return
        # While this socket's own frame is handled, the hub keeps its live frames aside:
        # the reply (an ack, a welcome) comes before the events it caused.
        self.outlet.hold()
        self.welcomed_positions = None
        try:
            await handler(frame)
        finally:
            await self.outlet.release(self.welcomed_positions)

    async def on_ping(self, frame: dict) -> None:
        await self.send_frame({"type": "pong", "server_time": server_time_ms()})
        await self.note_presence()

    async def note_presence(self) -> None:
        if time.monotonic() - self.presence_noted_at < PRESENCE_EVERY_S:
            return
        self.presence_noted_at = time.monotonic()
        try:
            await orm(presence_touch)(actor=self.actor)
        except DatabaseError:
            logger.warning("presence not recorded: database unavailable")

    async def on_hello(self, frame: dict) -> None:
        last = frame.get("last", {})
        if not valid_positions(last):
            await self.send_error(None, "bad_frame", _("Invalid stream positions."))
            return
        try:
            check_hello_rate(actor_key=self.actor.key)
        except SlowDown as refusal:
            # The client says hello again after retry_after.
            await self.send_error(None, refusal.code, refusal.message, refusal.retry_after)
            return
        welcome = await self.build_welcome(last)
        if welcome is not None:
            await self.send_frame(welcome)
            if not hub().live:
                await self.send_frame({"type": "degraded"})  # it polls the log until `live`
            # Live frames held meanwhile: those the welcome carried are not sent again.
            self.welcomed_positions = {key: info["seq"] for key, info in welcome["streams"].items()}
            for key, seq in self.welcomed_positions.items():
                hub().expect(layer_group(self.actor.workshop_id, key), seq + 1)
            self.ready = True

    async def build_welcome(self, last: dict[str, int]) -> dict | None:
        """The welcome for `last`, or None when the socket was refused or closed."""
        try:
            self.actor, followed = await self.who_and_where()
            if self.actor is None:
                message = _("Please join the workshop before connecting.")
                await self.refuse_connection(CloseCode.UNAUTHENTICATED, "unauthenticated", message)
                return None
            # Subscribe before reading the log: an event published meanwhile then arrives
            # live (held until the welcome is out), never nowhere.
            await self.follow(followed)
            streams, snapshots = await self.read_welcome(followed, last)
        except Exception:
            logger.exception("resync failed")
            await self.send_error(None, "unavailable", _("The server is unavailable, retrying."))
            await self.close(CloseCode.TRY_AGAIN)  # the client reconnects with backoff
            return None
        return {
            "type": "welcome",
            "server_time": server_time_ms(),
            "role": self.actor.role,
            "participant": self.actor.participant_id,
            "streams": streams,
            "snapshots": snapshots,
        }

    # A hello costs two trips to the ORM threads (a room reconnecting at once sends a
    # thousand): who this is and what they follow; then, once subscribed, what they missed.

    @orm
    def who_and_where(self) -> tuple[Actor | None, list[str]]:
        # Who this is may have changed since connect (a co-facilitator removed, a
        # participant erased): ask again, unless the connect just did.
        actor = self.actor
        if time.monotonic() - self.identified_at > IDENTITY_FRESH_S:
            _found, actor, _language = self.identify_now(self.workshop_id, self.view)
        return actor, followed_streams(actor) if actor is not None else []

    @orm
    def read_welcome(self, followed: list[str], last: dict[str, int]) -> tuple[dict, list]:
        """Per stream what the client missed (or a snapshot), the current tallies; and a
        sign of life for presence, in the same trip."""
        workshop_id = self.actor.workshop_id
        streams = catch_up(
            workshop_id=workshop_id, followed=followed, last=last, language=self.language
        )
        snapshots = current_tallies(workshop_id, followed, self.language)
        presence_touch(actor=self.actor)
        self.presence_noted_at = time.monotonic()
        return streams, snapshots

    async def follow(self, followed: list[str]) -> None:
        """Hear exactly the streams this actor follows now (it may have moved group)."""
        groups = [layer_group(self.actor.workshop_id, key) for key in followed]
        await hub().follow(self.outlet, groups)

    async def on_command(self, frame: dict) -> None:
        client_id, name, args = frame.get("id"), frame.get("name"), frame.get("args", {})
        if not isinstance(client_id, str) or not COMMAND_ID.match(client_id):
            await self.send_error(
                None, "bad_frame", _("A command needs an id (1–64 letters, digits, - or _).")
            )
            return
        if not isinstance(name, str) or not isinstance(args, dict):
            await self.send_error(
                client_id, "bad_frame", _("A command needs a name and arguments.")
            )
            return
        if self.actor.role == Role.PROJECTOR:
            await self.send_error(client_id, "forbidden", _("The projector is read-only."))
            return
        try:
            result = await self.run_command(client_id, name, args)
        except SlowDown as refusal:
            # The client keeps the command and sends it again after this many milliseconds.
            await self.send_error(client_id, refusal.code, refusal.message, refusal.retry_after)
            return
        except Refused as refusal:
            await self.send_error(client_id, refusal.code, refusal.message)
            return
        except (OperationalError, InterfaceError):
            logger.exception("command %s failed on the database", name)
            message = _("The server cannot save right now; your message will be sent again.")
            await self.send_error(client_id, "unavailable", message)
            return
        except Exception:
            # A bug must cost this command, not the socket (and nothing was committed).
            logger.exception("command %s failed", name)
            message = _("Something went wrong on the server; nothing was saved.")
            await self.send_error(client_id, "server_error", message)
            return
        await self.send_frame({"type": "ack", "id": client_id, "result": result})

    async def on_doc_sync(self, frame: dict) -> None:
        """Step one of the Yjs sync: the client's state vector in, what it lacks out."""
        if not self.ready:
            return  # documents sync after the welcome
        try:
            reply = await self.run_doc(
                conclusion_sync, group_id=frame.get("doc"), state_vector=frame.get("sv")
            )
        except Refused as refusal:
            await self.send_doc_error(frame, refusal)
            return
        await self.send_frame(
            {
                "type": "doc.state",
                "doc": frame["doc"],
                "update": base64.b64encode(reply.update).decode(),
                "sv": base64.b64encode(reply.state_vector).decode(),
                "locked": reply.locked,
            }
        )

    async def on_doc_update(self, frame: dict) -> None:
        """An editor's update: acknowledged once merged and stored, refused otherwise."""
        update_id = frame.get("id")
        if not isinstance(update_id, str) or not COMMAND_ID.match(update_id):
            await self.send_error(None, "bad_frame", _("A document update needs an id."))
            return
        if self.actor.role == Role.PROJECTOR:
            await self.send_error(update_id, "forbidden", _("The projector is read-only."))
            return
        try:
            await self.run_doc(
                conclusion_update, group_id=frame.get("doc"), update=frame.get("update")
            )
        except Refused as refusal:
            await self.send_error(update_id, refusal.code, refusal.message)
            return
        except (OperationalError, InterfaceError):
            logger.exception("document update failed on the database")
            message = _("The server cannot save right now; your message will be sent again.")
            await self.send_error(update_id, "unavailable", message)
            return
        await self.send_frame({"type": "doc.ack", "id": update_id})

    async def on_doc_editing(self, frame: dict) -> None:
        try:
            await self.run_doc(conclusion_editing, group_id=frame.get("doc"))
        except Refused as refusal:
            await self.send_doc_error(frame, refusal)

    async def send_doc_error(self, frame: dict, refusal: Refused) -> None:
        """A refusal the editor of `frame["doc"]` can tell is its own."""
        await self.send_frame(
            {
                "type": "error",
                "id": None,
                "doc": frame.get("doc"),
                "code": refusal.code,
                "message": refusal.message,
            }
        )

    @orm
    def run_doc(self, service, **arguments):
        with translation.override(self.language):
            return service(actor=self.actor, **arguments)

    async def run_command(self, client_id: str, name: str, args: dict) -> dict:
        together = batcher(name)
        if together is not None:  # a poll storm: answers of every socket run together
            command = Submitted(self.actor, client_id, name, args, self.language)
            return await together.submit(command)
        return await self.run_command_alone(client_id, name, args)

    @orm
    def run_command_alone(self, client_id: str, name: str, args: dict) -> dict:
        with translation.override(self.language):
            return execute_command(actor=self.actor, client_id=client_id, name=name, args=args)

    async def send_error(
        self, client_id: str | None, code: str, message: str, retry_after: float | None = None
    ) -> None:
        """An `error` frame; a `slow_down` says in how many milliseconds to try again."""
        frame = {"type": "error", "id": client_id, "code": code, "message": message}
        if retry_after is not None:
            frame["retry_after"] = round(retry_after * 1000)
        await self.send_frame(frame)

    async def send_frame(self, frame: dict) -> None:
        # ASCII escapes: a lone surrogate echoed from a hostile frame cannot break the send.
        text = json.dumps(frame)
        if len(text) > MAX_MESSAGE_BYTES:  # more than we let any message be (config/serve.py)
            logger.error("a %s frame of %d bytes is over the limit", frame["type"], len(text))
            await self.close(CloseCode.TRY_AGAIN)
            return
        if self.outlet is not None:
            self.outlet.sent(text)
        try:
            await self.send(text_data=text)
        except Exception as error:  # the client went away meanwhile (ClientDisconnected)
            logger.info("a frame to a closed socket was dropped (%s)", type(error).__name__)


def valid_positions(last: object) -> bool:
    if not isinstance(last, dict) or len(last) > MAX_STREAMS_IN_HELLO:
        return False
    return all(
        is_stream_key(key) and type(seq) is int and 0 <= seq < 2**63 for key, seq in last.items()
    )


def server_time_ms() -> int:
    return int(time.time() * 1000)
