"""The committed ISIC vocabulary FSH is what the generator writes from the ISIC files today."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
REAL = REPOSITORY.parent / "shared" / "data" / "real"


@pytest.mark.skipif(not REAL.is_dir(), reason="the ISIC data folder ../shared/data/real is absent")
def test_generated_fsh_is_current() -> None:
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "ig" / "generate" / "isic_vocabularies.py"), "--data", str(REAL), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
