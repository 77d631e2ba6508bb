"""The ``qkg`` console script: help, version, exit codes, one-line errors."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

QKG = str(Path(sys.executable).with_name("qkg"))


def run(*args, cwd=None, env=None):
    return subprocess.run([QKG, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, **(env or {})})


def test_version():
    from qkg import __version__

    out = run("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"qkg {__version__}"


def test_help_documents_exit_codes():
    out = run("--help")
    assert out.returncode == 0
    assert "0  ran and all good" in out.stdout and "2  could not run" in out.stdout


def test_no_command_is_usage_error():
    assert run().returncode == 2


def test_outside_a_project_is_one_line(tmp_path):
    out = run("--project", str(tmp_path), "stats")
    assert out.returncode == 2
    assert out.stderr.strip().startswith("qkg: error: ")
    assert "no qkg project here" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_syntax_error_in_data_is_located(project_copy, tmp_path):
    bad = project_copy.data_dir / "reference.ttl"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nqorg:x qkg:basedIn .\n", encoding="utf-8")
    out = run("--project", str(project_copy.root), "build", env={"QKG_CACHE_DIR": str(tmp_path / "c")})
    assert out.returncode == 2
    lines = bad.read_text(encoding="utf-8").count("\n")
    assert out.stderr.startswith(f"qkg: error: data/reference.ttl:{lines}:")
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize("args", [["stats", "--format", "xml"], ["build", "--reasoner", "magic"]],
                         ids=["bad-choice", "bad-reasoner"])
def test_bad_option_values_exit_2(args):
    out = run(*args)
    assert out.returncode == 2 and "invalid choice" in out.stderr
