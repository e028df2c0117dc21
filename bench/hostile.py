"""Hostile frames for the live socket: random and mutated, from a seed (reproducible).

Each frame is text the server must survive: valid frames with wrong types, huge strings,
deep JSON, unicode oddities, wrong ids, other workshops' ids, broken JSON. `bench.fuzz`
sends them over real sockets; `tests/test_fuzz_smoke.py` sends a few thousand.
"""

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field

ODD_TEXT = [
    "",
    " ",
    "\u0000",
    "\ud800",  # a lone surrogate (json.dumps escapes it; the server must not choke)
    "\u202e<script>alert(1)</script>",
    "🙂" * 50,
    "Ｅｖｉｌ" * 30,
    "e\u0301" * 100,
    "\u200b\u200c\u200d\ufeff",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example")',
    "'; DROP TABLE workshops_postit; --",
    "\n" * 500,
    "x" * 281,
    "x" * 70_000,
]
ODD_NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63), 1.5, float("1e308"), True, False, None]
ODD_KEYS = ["__proto__", "constructor", "", " ", "id", "args", "name", "type", "x" * 500]
FRAME_TYPES = ["hello", "cmd", "ping", "doc.sync", "doc.update", "doc.editing", "welcome", "ack"]
ARGUMENT_NAMES = [
    "text", "color", "postit", "cluster", "index", "into", "name", "group", "postits",
    "open", "poll", "answer", "approved", "question", "kind", "options", "max_choices",
    "results", "phase", "title", "minutes", "scope", "activity", "to", "count", "strategy",
    "participant", "self_choice", "video_url_template", "locked", "shared", "signature",
    "table", "dots", "dots_stack", "dots_live", "tablet_per_person",
]  # fmt: skip


@dataclass
class Ids:
    """Ids the fuzzer knows: of its own workshop, and of another one it must never reach."""

    own: list[int] = field(default_factory=list)
    foreign: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)


class Hostile:
    def __init__(self, seed: int, ids: Ids, commands: list[str]) -> None:
        self.random = random.Random(seed)
        self.ids = ids
        self.commands = sorted(commands)  # workshops.commands.COMMANDS' names
        self.counter = 0

    def frames(self, count: int) -> Iterator[str]:
        makers = [
            (self.valid_command_with_wrong_values, 30),
            (self.mutated_command, 20),
            (self.random_json, 10),
            (self.deep_json, 3),
            (self.broken_json, 8),
            (self.odd_hello, 8),
            (self.odd_document_frame, 10),
            (self.huge_frame, 1),
            (self.replayed_id_other_args, 5),
            (self.ping, 5),
        ]
        choices, weights = zip(*makers, strict=True)
        for _n in range(count):
            yield self.random.choices(choices, weights)[0]()

    # --- pieces ---

    def any_value(self, depth: int = 0) -> object:
        pick = self.random.random()
        if pick < 0.25:
            return self.random.choice(ODD_TEXT[:-1])  # the 70 KB one is for huge_frame
        if pick < 0.5:
            return self.random.choice(ODD_NUMBERS)
        if pick < 0.7:
            return self.an_id()
        if pick < 0.8 and depth < 3:
            return [self.any_value(depth + 1) for _i in range(self.random.randint(0, 4))]
        if pick < 0.9 and depth < 3:
            return {
                self.a_key(): self.any_value(depth + 1) for _i in range(self.random.randint(0, 3))
            }
        return "".join(self.random.choices(string.printable, k=self.random.randint(0, 40)))

    def an_id(self) -> object:
        pool = self.random.choice(
            [self.ids.own, self.ids.foreign, self.ids.groups, [0, -5, 10**12]]
        )
        return self.random.choice(pool) if pool else 1

    def a_key(self) -> str:
        if self.random.random() < 0.7:
            return self.random.choice(ARGUMENT_NAMES)
        return self.random.choice(ODD_KEYS)

    def command_id(self) -> object:
        self.counter += 1
        if self.random.random() < 0.9:
            return f"fz{self.counter}"
        return self.random.choice(["", "x" * 65, "é", "a b", 12, None, ["x"]])

    # --- frames ---

    def valid_command_with_wrong_values(self) -> str:
        name = self.random.choice(self.commands)
        args = {self.a_key(): self.any_value() for _i in range(self.random.randint(0, 4))}
        return json.dumps({"type": "cmd", "id": self.command_id(), "name": name, "args": args})

    def mutated_command(self) -> str:
        frame: dict = {"type": "cmd", "id": self.command_id(), "name": "postit.create",
                       "args": {"text": "Une idée", "color": "yellow"}}  # fmt: skip
        for _i in range(self.random.randint(1, 3)):
            key = self.random.choice(["type", "id", "name", "args", self.a_key()])
            frame[key] = self.any_value()
        return json.dumps(frame)

    def random_json(self) -> str:
        return json.dumps(self.any_value())

    def deep_json(self) -> str:
        depth = self.random.choice([100, 1_000, 50_000])
        opener, closer = self.random.choice([("[", "]"), ('{"a":', "}")])
        return opener * depth + "1" + closer * depth

    def broken_json(self) -> str:
        good = self.valid_command_with_wrong_values()
        cut = self.random.randint(0, max(0, len(good) - 1))
        return self.random.choice([good[:cut], good + "}", good.replace('"', "'"), "\x00" + good])

    def odd_hello(self) -> str:
        last = self.random.choice(
            [
                {"workshop": self.any_value()},
                {self.a_key(): 1},
                {f"group:{self.an_id()}": self.random.choice(ODD_NUMBERS)},
                {f"group:{i}": 0 for i in range(300)},
                self.any_value(),
            ]
        )
        return json.dumps({"type": "hello", "last": last})

    def odd_document_frame(self) -> str:
        kind = self.random.choice(["doc.sync", "doc.update", "doc.editing"])
        frame = {"type": kind, "doc": self.an_id(), "id": self.command_id()}
        payload = self.random.choice(
            ["AAA=", "!!!", "", "AQEBAQEBAQEB", self.any_value(), "A" * 4000]
        )
        frame["sv" if kind == "doc.sync" else "update"] = payload
        return json.dumps(frame)

    def huge_frame(self) -> str:
        size = self.random.choice([70_000, 1_100_000])
        return json.dumps({"type": "cmd", "id": self.command_id(), "name": "postit.create",
                           "args": {"text": "x" * size}})  # fmt: skip

    def replayed_id_other_args(self) -> str:
        return json.dumps({"type": "cmd", "id": "fz1", "name": "postit.create",
                           "args": {"text": str(self.random.random())}})  # fmt: skip

    def ping(self) -> str:
        return json.dumps({"type": self.random.choice(FRAME_TYPES)})
