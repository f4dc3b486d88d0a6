"""Shared fixtures: the Rust programs the Python results are compared against."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _cargo_example(package: str, example: str) -> pathlib.Path:
    """Builds a Rust example (quick: the crates are built by then) and returns its path."""
    out = subprocess.run(
        ["cargo", "build", "--quiet", "-p", package, "--example", example,
         "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == example:
            return pathlib.Path(msg["executable"])
    raise RuntimeError(f"cargo built no executable for example {example}")


@pytest.fixture(scope="session")
def pool_trace() -> pathlib.Path:
    """The `pool_trace` example of ocellus-envs (the Rust EnvPool's trajectory)."""
    return _cargo_example("ocellus-envs", "pool_trace")


@pytest.fixture(scope="session")
def ocellus_cli() -> pathlib.Path:
    """The `ocellus` command line: $OCELLUS_CLI (bin/test sets it to the binary `cargo test`
    built), else the newest of target/{debug,release}/ocellus."""
    explicit = os.environ.get("OCELLUS_CLI")
    if explicit:
        return pathlib.Path(explicit)
    found = [p for p in (ROOT / "target/debug/ocellus", ROOT / "target/release/ocellus")
             if p.exists()]
    if not found:
        pytest.fail("no ocellus binary: run `cargo build -p ocellus-cli` or set OCELLUS_CLI")
    return max(found, key=lambda p: p.stat().st_mtime)
