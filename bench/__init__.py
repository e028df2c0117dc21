"""Load benchmarks that run the real stack (uvicorn, PostgreSQL, Redis); see bench/README.md."""
