"""Writing output folders all at once: stage beside the target, then rename into place."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_folder", "atomic_write_text"]


@contextmanager
def atomic_folder(folder: str | Path, force: bool = False) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``folder``, on any error it vanishes.

    An existing ``folder`` is replaced only with ``force=True`` (FileExistsError otherwise),
    so an interrupted run never leaves a half-written output folder behind.
    """
    folder = Path(folder)
    if folder.exists() and not force:
        raise FileExistsError(f"{folder} exists; pass force=True (or --force) to replace it")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        yield staging
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    path = Path(path)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
