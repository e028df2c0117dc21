"""The refusal every service raises for bad input or a forbidden action."""


class Refused(Exception):
    """A command was refused and changed nothing.

    `code` is stable and machine-readable (docs/protocol.md lists them); `message` is
    for people, already translated into the active language.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class SlowDown(Refused):
    """Too many commands of a kind too fast: nothing changed, try again in `retry_after` s."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__("slow_down", message)
        self.retry_after = retry_after
