"""Settings of the server processes the tests start: the product's, with the tests' fast
password hasher (the test database's accounts are hashed with it)."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
