"""The stack under test: database and fixtures, pinned server and Redis processes, /proc.

Nothing here knows about a particular scenario: bench/scenarios.py and bench/storm.py drive
the sockets, bench/run.py decides what to run.
"""

import contextlib
import math
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
RESULTS_DIR = REPO / "bench" / "results"  # git-ignored: logs and raw JSON lines
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"


@dataclass(frozen=True)
class StackConfig:
    """Where the benchmark's own database, Redis database and key prefix live."""

    # BENCH_DATABASE_URL: another database, e.g. when several work trees share the machine's
    # PostgreSQL (each migrates the benchmark's database to its own models).
    database_url: str = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/atelier_bench"
    )
    redis_url: str = "redis://127.0.0.1:6379/2"
    # Redis pub/sub channels ignore the database number: only a prefix of our own keeps
    # other servers on this machine (same default prefix) from hearing our groups.
    layer_prefix: str = "atelier-bench"
    secret_key: str = "bench-secret"  # noqa: S105 (signs benchmark sessions only)
    # bench.server_settings works around the redis-py 8 read timeout that breaks the core
    # layer; "config.settings" runs the settings exactly as shipped.
    settings_module: str = "bench.server_settings"
    # The code under test: the working tree, or a commit exported by export_source().
    app_dir: Path = REPO

    def server_env(self, layer: str) -> dict[str, str]:
        """Environment of a production-like server using the `layer` channel layer."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DEBUG="false",
            SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PUBLIC_URL="",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            CHANNEL_LAYER=layer,
            CHANNEL_LAYER_PREFIX=self.layer_prefix,
            # The code under test first; bench.server_settings from here if it lacks it.
            PYTHONPATH=f"{self.app_dir}:{REPO}",
        )
        return env

    def setup_env(self) -> dict[str, str]:
        """Environment for creating fixtures: same database, in-memory layer.

        The fixtures' own events (participant.joined) then go nowhere instead of through
        Redis, and the setup process opens no layer connections.
        """
        env = self.server_env("pubsub")
        env.update(REDIS_URL="", DJANGO_SETTINGS_MODULE="config.settings")
        return env


# --- database and fixtures -----------------------------------------------------------


def ensure_database(config: StackConfig) -> None:
    """Create the benchmark database if missing and bring its schema up to date."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(config.database_url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if found.fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=config.app_dir,
        env=config.setup_env(),
        check=True,
        timeout=300,
    )


# What a dirty working tree means for the code under test.
APP_PATHS = ("config", "live", "workshops", "deliberation", "templates", "static", "manage.py")


def export_source(revision: str) -> tuple[Path, str]:
    """Extract `revision` of the project into bench/results/src-<sha>/ and return (dir, sha).

    Other people edit the working tree while benchmarks run; a server started halfway
    through an edit measures (or crashes on) half-written code. A commit does not move.
    """
    sha = git("rev-parse", "--verify", f"{revision}^{{commit}}")
    target = RESULTS_DIR / f"src-{sha[:12]}"
    if not (target / "manage.py").exists():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha],
            cwd=REPO,
            check=True,
            capture_output=True,
            timeout=60,
        )
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target, sha


def describe_code(config: StackConfig) -> str:
    """The commit under test, with "+dirty" when the working tree's project code differs."""
    if config.app_dir != REPO:
        return config.app_dir.name.removeprefix("src-")
    head = git("rev-parse", "--short=12", "HEAD")
    dirty = git("status", "--porcelain", "--", *APP_PATHS)
    return head + ("+dirty" if dirty else "")


def git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=REPO, check=True, capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip()


def setup_django(config: StackConfig) -> None:
    """Load Django in this process (for fixtures only; the server is another process)."""
    import django

    os.environ.update(config.setup_env())
    sys.path.insert(0, str(config.app_dir))  # before anything imports the project
    django.setup()


@dataclass(frozen=True)
class WorkshopFixture:
    workshop_id: int
    session_keys: list[str]  # one logged-in guest per entry, for the `sessionid` cookie
    participant_ids: list[int]  # participant of session_keys[i]
    group_of: list[int | None]  # the breakout group of participant i (None: the plenary)


def create_workshop(participants: int, title: str, *, groups: int = 0) -> WorkshopFixture:
    """A fresh workshop (empty streams) with `participants` remote guests, each with a
    session; with `groups`, as many online groups, guests dealt round-robin, breakouts open.

    Guests and sessions are inserted in bulk (a thousand through the services would take
    a minute): the measurement starts after, and nothing here is measured.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connections
    from django.utils import timezone

    from workshops.actors import SESSION_PARTICIPANTS, Actor, Role
    from workshops.models import Participant
    from workshops.services import breakouts_open, groups_create, workshop_create

    organizer, _created = get_user_model().objects.get_or_create(username="bench-organizer")
    workshop = workshop_create(organizer=organizer, title=title)
    lead = Actor(workshop.pk, Role.ORGANIZER, user_id=organizer.pk)
    created = groups_create(actor=lead, count=groups, kind="online") if groups else []
    group_ids = [group.pk for group in created]
    people = Participant.objects.bulk_create(
        Participant(
            workshop=workshop,
            display_name=f"p{index}",
            location=Participant.Location.REMOTE,
            group_id=group_ids[index % len(group_ids)] if group_ids else None,
        )
        for index in range(participants)
    )
    if group_ids:
        breakouts_open(actor=lead)
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    sessions = [
        Session(
            session_key=store._get_new_session_key(),
            session_data=store.encode({SESSION_PARTICIPANTS: {str(workshop.pk): person.pk}}),
            expire_date=expires,
        )
        for person in people
    ]
    Session.objects.bulk_create(sessions)
    connections.close_all()  # hold no PostgreSQL connection during the measurement
    return WorkshopFixture(
        workshop_id=workshop.pk,
        session_keys=[session.session_key for session in sessions],
        participant_ids=[person.pk for person in people],
        group_of=[person.group_id for person in people],
    )


def flush_redis_database(redis_url: str) -> None:
    """Empty our own Redis database (and only it) so one run leaves nothing for the next."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        client.flushdb()
    finally:
        client.close()


@dataclass
class RedisServer:
    """A Redis of the benchmark's own, pinned with the server: nobody else's pub/sub traffic
    lands in the measurement, and its CPU is charged to the server's core."""

    port: int
    cpu: int | str
    log_path: Path
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout: float = 20) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = ["taskset", "-c", str(self.cpu), "redis-server", "--port", str(self.port)]
        command += ["--bind", HOST, "--save", "", "--appendonly", "no", "--daemonize", "no"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        wait_for_port(self.port, process=self.process, timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()


def redis_server_pid(redis_url: str) -> int | None:
    """The local Redis server's pid, to read its CPU time (it is not ours to pin)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        pid = int(client.info("server")["process_id"])
    finally:
        client.close()
    return pid if Path(f"/proc/{pid}/stat").exists() else None


# --- processes -------------------------------------------------------------------------


def pin_this_process(cpu: int) -> None:
    """Keep the load generator on its own core, away from the server's."""
    os.sched_setaffinity(0, {cpu})


def raise_open_files_limit() -> int:
    """One socket per client: lift the soft limit to the hard one (the server inherits it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode} while starting")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout:.0f} s")


def server_command(kind: str, port: int, app_dir: Path = REPO) -> list[str]:
    """The command line of a server of `kind` listening on `port`: `uvicorn` is the product's
    own (`python -m config.serve`, or uvicorn with the same options for a commit that served
    with daphne), `daphne` the server the product used before, for comparison."""
    serve = app_dir / "config" / "serve.py"
    if kind == "uvicorn" and serve.exists() and "uvicorn" in serve.read_text():
        return [str(VENV_BIN / "python"), "-m", "config.serve", "-b", HOST, "-p", str(port)]
    if kind == "uvicorn":
        return [
            *(str(VENV_BIN / "uvicorn"), "--host", HOST, "--port", str(port)),
            *("--ws", "websockets-sansio", "--ws-per-message-deflate", "false"),
            *("--lifespan", "off", "--no-proxy-headers", "--log-level", "warning"),
            "config.asgi:application",
        ]
    if kind == "daphne":
        size = str(16 * 1024 * 1024)  # as config/serve.py allowed when it ran daphne
        return [
            *(str(VENV_BIN / "daphne"), "-b", HOST, "-p", str(port)),
            *("--websocket-max-message-size", size, "--websocket-max-frame-size", size),
            "config.asgi:application",
        ]
    if kind == "relay":
        return [str(VENV_BIN / "python"), "-m", "bench.relay", "--port", str(port)]
    raise ValueError(f"unknown server {kind!r}")


@dataclass
class ServerProcess:
    """A server process (the product's uvicorn by default) pinned to cores, in its own
    process group, stopped on exit."""

    env: dict[str, str]
    port: int
    cpu: int | str
    log_path: Path
    cwd: Path = REPO
    kind: str = "uvicorn"
    extra_args: tuple[str, ...] = ()
    process: subprocess.Popen | None = field(default=None, init=False)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid  # taskset execs the server: same pid

    def start(self, timeout: float = 60) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = ["taskset", "-c", str(self.cpu), *server_command(self.kind, self.port, self.cwd)]
        command += list(self.extra_args)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.cwd,  # the server imports the project from its working directory
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        wait_for_port(self.port, process=self.process, timeout=timeout)

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=wait)
                return

    def log_problems(self) -> int:
        """How many tracebacks and error lines the server logged."""
        if not self.log_path.exists():
            return 0
        text = self.log_path.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if "Traceback" in line or " ERROR " in line)

    def __enter__(self) -> "ServerProcess":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


# --- /proc readings ----------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads (utime and stime in /proc/pid/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for pid {pid}")


def machine_cpu_seconds() -> tuple[float, float, float]:
    """Machine-wide CPU time, all cores (first line of /proc/stat): (processes, interrupts,
    steal). Interrupt time is mostly loopback networking in softirq, which /proc charges
    to no process; steal is time the hypervisor gave to other guests."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system) / CLOCK_TICKS, (irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


def cpu_by_command() -> dict[int, tuple[str, float]]:
    """CPU seconds so far of every process on the machine, with its command name."""
    table = {}
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = stat_path.read_text()
        except OSError:
            continue  # exited meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        table[int(stat_path.parent.name)] = (
            name,
            (int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
        )
    return table


def top_other_commands(
    before: dict[int, tuple[str, float]],
    after: dict[int, tuple[str, float]],
    exclude: set[int],
    limit: int = 4,
) -> dict[str, float]:
    """Who else used the CPU between two readings, summed per command name (PostgreSQL
    backends, other people's jobs), so a noisy neighbour shows in the report."""
    used: dict[str, float] = {}
    for pid, (name, seconds) in after.items():
        if pid in exclude:
            continue
        used[name] = used.get(name, 0.0) + seconds - before.get(pid, (name, 0.0))[1]
    ranked = sorted(used.items(), key=lambda item: item[1], reverse=True)[:limit]
    return {name: round(seconds, 2) for name, seconds in ranked if seconds > 0}


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far by each party, read at one instant."""

    at: float  # time.monotonic()
    server: float
    loadgen: float
    redis: float
    processes: float  # every process on the machine, ours included
    interrupts: float
    steal: float

    @classmethod
    def take(cls, server_pids: int | list[int], redis_pid: int | None) -> "CpuSnapshot":
        processes, interrupts, steal = machine_cpu_seconds()
        pids = [server_pids] if isinstance(server_pids, int) else server_pids
        return cls(
            at=time.monotonic(),
            server=sum(cpu_seconds(pid) for pid in pids),
            loadgen=cpu_seconds(os.getpid()),
            redis=cpu_seconds(redis_pid) if redis_pid else math.nan,
            processes=processes,
            interrupts=interrupts,
            steal=steal,
        )


@dataclass(frozen=True)
class CpuUse:
    """CPU used between two snapshots, in seconds, and the wall time between them."""

    wall: float
    server: float
    loadgen: float
    redis: float
    processes: float
    interrupts: float
    steal: float

    @classmethod
    def between(cls, start: CpuSnapshot, end: CpuSnapshot) -> "CpuUse":
        return cls(
            wall=end.at - start.at,
            server=end.server - start.server,
            loadgen=end.loadgen - start.loadgen,
            redis=end.redis - start.redis,
            processes=end.processes - start.processes,
            interrupts=end.interrupts - start.interrupts,
            steal=end.steal - start.steal,
        )

    @property
    def other_processes(self) -> float:
        """Processes other than server, generator and Redis: PostgreSQL, other people's work."""
        redis = 0.0 if math.isnan(self.redis) else self.redis
        return self.processes - self.server - self.loadgen - redis

    def share(self, seconds: float) -> float:
        """Fraction of one core over this window."""
        return seconds / self.wall if self.wall > 0 else math.nan


# --- statistics --------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (NaN when there are none)."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize_ms(values_ns: list[int]) -> dict[str, float]:
    ordered = sorted(value / 1e6 for value in values_ns)
    summary = {f"p{q}": percentile(ordered, q) for q in (50, 95, 99)}
    summary["max"] = ordered[-1] if ordered else math.nan
    return {key: round(value, 1) for key, value in summary.items()}
