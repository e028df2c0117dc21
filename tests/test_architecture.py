"""Rules of the code base that a reviewer would otherwise have to remember."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ("config", "workshops", "live", "deliberation")
PUBLISHERS = {"emit", "publish", "group_send"}


def python_files():
    for app in APPS:
        yield from (ROOT / app).rglob("*.py")


def calls_in(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
    return names


def test_only_services_and_the_broadcast_module_publish_events():
    allowed = {ROOT / "live" / "broadcast.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files()
        if path not in allowed and "services" not in path.parts and calls_in(path) & PUBLISHERS
    ]
    assert offenders == []


def test_consumers_and_views_do_not_write_models():
    writers = {"create", "save", "update", "delete", "bulk_create", "get_or_create"}
    for path in [ROOT / "live" / "consumers.py", *ROOT.glob("*/views.py")]:
        assert not calls_in(path) & writers, path
