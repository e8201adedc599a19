"""Shared pytest configuration: real-consumer fixtures live in tests/infra."""

from __future__ import annotations

from tests.infra.conftest_fixtures import *  # noqa: F403
