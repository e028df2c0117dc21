"""Built-in agendas a workshop can start from: data, turned into phases by a service.

Titles are lazy: they are translated when a workshop is created from the blueprint, in the
organizer's active language, and then stored as ordinary text that facilitators may edit.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workshops.models import Phase, Poll

Scope = Phase.Scope
Activity = Phase.Activity


@dataclass(frozen=True)
class PollSpec:
    """A plenary poll prepared for a phase: a draft the facilitators may replace."""

    question: Promise
    kind: str
    options: tuple[Promise, ...] = ()


@dataclass(frozen=True)
class PhaseSpec:
    title: Promise
    minutes: int
    scope: str
    activity: str
    poll: PollSpec | None = None


# A poll phase comes with its poll: starting it never asks people to answer nothing.
WELCOME_POLL = PollSpec(
    question=_("How do you feel about today's topic?"),
    kind=Poll.Kind.SINGLE,
    options=(_("Curious"), _("Enthusiastic"), _("Doubtful"), _("Worried")),
)


@dataclass(frozen=True)
class Blueprint:
    key: str
    name: Promise
    phases: tuple[PhaseSpec, ...]


WORLD_CAFE = Blueprint(
    key="world_cafe",
    name=_("World café"),
    phases=(
        PhaseSpec(_("Welcome"), 5, Scope.PLENARY, Activity.WELCOME),
        PhaseSpec(_("First round"), 20, Scope.BREAKOUTS, Activity.BRAINSTORM),
        PhaseSpec(_("Second round"), 20, Scope.BREAKOUTS, Activity.BRAINSTORM),
        PhaseSpec(_("Third round"), 20, Scope.BREAKOUTS, Activity.BRAINSTORM),
        PhaseSpec(_("Harvest"), 15, Scope.PLENARY, Activity.SHARE),
    ),
)

BRAINSTORM_VOTE_CONCLUDE = Blueprint(
    key="brainstorm_vote_conclude",
    name=_("Brainstorm → vote → conclusions"),
    phases=(
        PhaseSpec(_("Welcome poll"), 5, Scope.PLENARY, Activity.POLL, WELCOME_POLL),
        PhaseSpec(_("Brainstorm"), 15, Scope.BREAKOUTS, Activity.BRAINSTORM),
        PhaseSpec(_("Dot vote"), 5, Scope.BREAKOUTS, Activity.DOT_VOTE),
        PhaseSpec(_("Write the conclusion"), 15, Scope.BREAKOUTS, Activity.WRITE),
        PhaseSpec(_("Share the conclusions"), 10, Scope.PLENARY, Activity.SHARE),
    ),
)

PLENARY_CONSULTATION = Blueprint(
    key="plenary_consultation",
    name=_("Plenary consultation"),
    phases=(
        PhaseSpec(_("Welcome poll"), 5, Scope.PLENARY, Activity.POLL, WELCOME_POLL),
        PhaseSpec(_("Information"), 10, Scope.PLENARY, Activity.WELCOME),
        PhaseSpec(_("Ideas"), 20, Scope.PLENARY, Activity.BRAINSTORM),
        PhaseSpec(_("Dot vote"), 10, Scope.PLENARY, Activity.DOT_VOTE),
        PhaseSpec(_("Sharing"), 10, Scope.PLENARY, Activity.SHARE),
    ),
)

# In the order the "Start from" menu lists them.
BLUEPRINTS: dict[str, Blueprint] = {
    blueprint.key: blueprint
    for blueprint in (WORLD_CAFE, BRAINSTORM_VOTE_CONCLUDE, PLENARY_CONSULTATION)
}
