"""Shared fixtures of the API-surface tests: facts recorded from real Keras (compat/gen/api_values.py)."""

import json
import pathlib

import pytest

VALUES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "api_values" / "values.json"


@pytest.fixture(scope="session")
def keras_facts() -> dict:
    return json.loads(VALUES.read_text(encoding="utf8"))
