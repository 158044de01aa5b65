"""Publish a model folder built in a temporary place: the cache either holds the old folder or
the complete new one, never half of one, even with two processes building at once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable


def publish_folder(tmp: Path, target: Path, is_current: Callable[[], bool]) -> None:
    """Move ``tmp`` to ``target`` (replacing an outdated ``target``).  When the move fails because
    another process has just published a current copy (``is_current()``), ours is thrown away;
    any other failure is raised."""
    if target.exists():
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.replace(tmp, target)
    except OSError:
        if not is_current():  # not another process winning the race: a real error
            raise
        shutil.rmtree(tmp, ignore_errors=True)
