"""Writing output folders safely: all at once, never over anything negsim did not write.

Every folder negsim writes (``negsim run``, ``compare``, ``sweep``, :meth:`Result.save
<negsim.result.Result.save>`) goes through :func:`atomic_folder`:

* the target is checked first (:func:`check_target`): the working folder, a folder that
  contains it, the home folder, a filesystem root, a symbolic link, a file, and a non-empty
  folder that is not negsim output are refused, even with ``force``; an earlier negsim
  output folder is replaced only with ``force``;
* the output is written into a staging folder beside the target and renamed into place,
  so an interrupted or failed write leaves nothing half-written;
* the folder carries ``metadata.json`` with the key ``"negsim_output"`` (``"run"``,
  ``"compare"``, ``"sweep"``): that is how negsim recognises its own output later (folders
  written by earlier versions of ``negsim run`` are recognised by their ``negsim_version``);
* folders and files get the user's normal permissions (``0o777`` and ``0o666`` less the
  umask), not the ``0o700`` of :func:`tempfile.mkdtemp`;
* a failing write (full disk, read-only or missing place) becomes :class:`OutputError`,
  one line naming the folder and the reason.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from negsim._version import __version__
from negsim.errors import NegsimError

__all__ = [
    "MARKER",
    "METADATA",
    "OutputError",
    "OutputExistsError",
    "atomic_folder",
    "atomic_write",
    "atomic_write_text",
    "check_target",
    "is_negsim_output",
    "output_errors",
    "output_marker",
]

MARKER = "negsim_output"
METADATA = "metadata.json"
_LEGACY_MARKER = "negsim_version"  # metadata.json of `negsim run` before MARKER existed
_FORCE_HINT = "pass force=True (or --force) to replace it"


class OutputError(NegsimError, OSError):
    """An output folder negsim may not replace or cannot write; one line, exit code 2."""


class OutputExistsError(OutputError, FileExistsError):
    """The output folder exists and replacing it was not asked for."""


def output_marker(kind: str) -> dict[str, str]:
    """The keys that mark a ``metadata.json`` as negsim output of ``kind``."""
    return {MARKER: kind}


def is_negsim_output(folder: str | Path) -> bool:
    """Whether ``folder`` holds a ``metadata.json`` that negsim wrote (see module notes)."""
    try:
        meta = json.loads((Path(folder) / METADATA).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and (MARKER in meta or _LEGACY_MARKER in meta)


def check_target(folder: str | Path, *, force: bool, hint: str = _FORCE_HINT) -> Path:
    """Refuse an output target that must not be written or replaced; return it as a Path.

    Parameters
    ----------
    folder : str or Path
        The output folder to create or replace.
    force : bool
        Whether an existing negsim output folder may be replaced.
    hint : str
        How to ask for replacement, quoted when the folder exists and ``force`` is False.

    Raises
    ------
    OutputError
        The target is the working folder or contains it, is the home folder or a
        filesystem root, is a symbolic link or a file, or is a non-empty folder without
        negsim's ``metadata.json``.
    OutputExistsError
        The target is an existing negsim output folder (or an empty folder) and ``force``
        is False.
    """
    folder = Path(folder)
    with output_errors(folder):
        real = folder.resolve()
        protected = [(Path.cwd().resolve(), "it is the working folder")]
        with suppress(RuntimeError):  # no home folder known
            protected.append((Path.home().resolve(), "it is the home folder"))
        for place, why in protected:
            if real == place:
                raise OutputError(f"refusing to write the output into {folder}: {why}")
        if real.parent == real:
            raise OutputError(
                f"refusing to write the output into {folder}: it is a filesystem root"
            )
        if real in Path.cwd().resolve().parents:
            raise OutputError(
                f"refusing to write the output into {folder}: it contains the working folder"
            )
        if folder.is_symlink():
            raise OutputError(
                f"refusing to replace {folder}: it is a symbolic link; give the folder itself"
            )
        if not folder.exists():
            return folder
        if not folder.is_dir():
            raise OutputError(f"refusing to replace {folder}: it is a file, not a folder")
        empty = next(folder.iterdir(), None) is None
        if not empty and not is_negsim_output(folder):
            raise OutputError(
                f"refusing to replace {folder}: it holds files negsim did not write (no "
                f"{METADATA} with a {MARKER!r} key); choose a new or empty folder"
            )
    if not force:
        raise OutputExistsError(f"{folder} exists; {hint}")
    return folder


@contextmanager
def output_errors(folder: str | Path) -> Iterator[None]:
    """Turn an :class:`OSError` inside the block into one-line :class:`OutputError`."""
    try:
        yield
    except OutputError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(folder) else ""
        raise OutputError(f"cannot write {folder}: {reason}{where}") from exc


@contextmanager
def atomic_folder(
    folder: str | Path,
    force: bool = False,
    *,
    kind: str = "run",
    metadata: Mapping[str, Any] | None = None,
    adopt: Mapping[str, Path] | None = None,
    hint: str = _FORCE_HINT,
) -> Iterator[Path]:
    """Yield a staging folder; on success it replaces ``folder``, on any error it vanishes.

    Parameters
    ----------
    folder : str or Path
        The target, checked by :func:`check_target` before and again after writing.
    force : bool
        Replace an existing negsim output folder.
    kind : str
        Written as ``"negsim_output"`` into ``metadata.json`` unless the caller writes
        its own ``metadata.json`` (which must then carry :func:`output_marker`).
    metadata : mapping, optional
        Extra keys for the ``metadata.json`` written here.
    adopt : mapping of name to Path, optional
        Existing folders moved into the output (as ``name``) just before it is renamed into
        place, and moved back where they were if that fails.
    hint : str
        How to ask for replacement, quoted when the folder exists and ``force`` is False.

    Raises
    ------
    OutputError
        A refused target (see :func:`check_target`) or a failing write; the staging
        folder, folders created for the target and, on failure, nothing else is touched.
    """
    folder = check_target(folder, force=force, hint=hint)
    created: list[Path] = []
    staging: Path | None = None
    moved: list[tuple[Path, Path]] = []
    try:
        with output_errors(folder):
            for parent in reversed([folder.parent, *folder.parent.parents]):
                if not parent.exists():
                    parent.mkdir()
                    created.append(parent)
            staging = _fresh(folder.parent, f".{folder.name}.", os.mkdir)
            yield staging
            if not (staging / METADATA).exists():
                meta = {**output_marker(kind), "negsim_version": __version__, **(metadata or {})}
                (staging / METADATA).write_text(
                    json.dumps(meta, indent=2, sort_keys=True) + "\n", encoding="utf-8"
                )
            check_target(folder, force=force, hint=hint)
            for name, source in (adopt or {}).items():
                os.replace(source, staging / name)
                moved.append((staging / name, source))
            _swap(staging, folder)
    except BaseException:
        for here, back in reversed(moved):
            if here.exists():
                os.replace(here, back)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for parent in reversed(created):
            with suppress(OSError):
                parent.rmdir()
        raise


def _swap(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an old ``folder`` is set aside, then deleted."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    old = _fresh(folder.parent, f".{folder.name}.old.", os.mkdir)
    os.replace(folder, old)  # a folder replaces an empty folder in one rename
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _fresh(parent: Path, prefix: str, make: Callable[[Path], Any]) -> Path:
    """A new ``parent/prefix<random>`` made by ``make`` (which fails if it exists)."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            make(path)
        except FileExistsError:
            continue
        return path


def _new_file(path: Path) -> None:
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))


def atomic_write(path: str | Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(temporary path)`` beside ``path``, then rename it to ``path``.

    The file gets the user's normal permissions (``0o666`` less the umask); a failing
    write leaves ``path`` as it was and raises :class:`OutputError`.
    """
    path = Path(path)
    temp: Path | None = None
    try:
        with output_errors(path.parent):
            temp = _fresh(path.parent, f".{path.name}.", _new_file)
            write(temp)
            os.replace(temp, path)
    except BaseException:
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and an atomic rename."""
    atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"))
