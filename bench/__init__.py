"""Load benchmarks that run the real stack (daphne, PostgreSQL, Redis); see bench/README.md."""
