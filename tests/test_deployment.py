"""docker-compose.yml is valid and wires the web service to PostgreSQL and Redis."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose() -> dict:
    if shutil.which("docker-compose") is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose is missing: `make test` installs it")
        pytest.skip("docker-compose is not installed (`make test` installs it)")
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "compose-check"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_postgres_redis_and_the_web_service(compose):
    assert {"db", "redis", "web"} <= set(compose["services"])


def test_the_web_service_gets_its_database_and_redis(compose):
    environment = compose["services"]["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379")
    assert environment["DEBUG"] == "false"


def test_the_web_service_migrates_on_start_and_waits_for_healthy_dependencies(compose):
    web = compose["services"]["web"]
    # config.serve is uvicorn with the options every deployment needs.
    assert "migrate" in web["command"] and "python -m config.serve" in web["command"]
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for service in ("db", "redis", "web"):
        assert compose["services"][service]["healthcheck"]["test"]
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_the_dockerfile_it_builds_exists():
    build = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()


def test_a_worker_service_runs_background_jobs_on_the_same_database(compose):
    worker = compose["services"]["worker"]
    assert worker["command"][-1] == "atelier_worker"
    assert worker["environment"] == compose["services"]["web"]["environment"]
