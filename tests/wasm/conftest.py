"""Fixtures of the wasm32 tests: the build (made on first use if missing)."""
import pytest
import wasm_env


@pytest.fixture(scope="session")
def wasm_build():
    wasm_env.ensure_build()
    return wasm_env.BUILD
