"""Output folders never cost the user a file (issue 13, items 2, 3 and 9).

Through the real ``negsim`` executable for ``run``, ``compare`` and ``sweep``, and through
the API (:meth:`Result.save`, :func:`negsim.atomic.check_target`):

* ``--force`` replaces an earlier negsim output folder and nothing else: the working
  folder, its parent, the home folder, a filesystem root and a folder of other files are
  refused with exit code 2 and one line, and every file in them survives byte for byte;
* an unwritable place (``/proc``, ``/sys``, below a file, a read-only folder, a full disk)
  gives exit code 2 and one line naming the folder and the reason, never "internal error",
  and leaves nothing half-written;
* output folders and files get the user's permissions (``0o777``/``0o666`` less the umask).
"""

from __future__ import annotations

import errno
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import negsim
from negsim.atomic import MARKER, OutputError, OutputExistsError, check_target
from negsim.cli import cli

COMMANDS = {
    "run": ["run", "textbook/ultimatum", "--no-figures", "--concept", "spe"],
    "compare": ["compare", "textbook/rubinstein", "textbook/rubinstein_finite"],
    "sweep": [
        "sweep",
        "textbook/ultimatum",
        "--grid",
        "actors.responder.discount=0.5,0.9",
        "--backend",
        "serial",
        "--quiet",
    ],
}
EARLIER_OUTPUT = json.dumps({MARKER: "run", "scenario": "ultimatum"})


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path below ``root`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """A working folder inside a parent, a sibling of unrelated files and a home folder.

    The working folder, its parent and the home folder even carry negsim's own
    ``metadata.json``, so only the rule for that place protects them.
    """
    root = tmp_path / "root"
    parent = root / "parent"
    work = parent / "work"
    other = parent / "other"
    home = root / "home"
    for folder in (work / "sub", other / "deep", home):
        folder.mkdir(parents=True)
    for folder in (parent, work, home):
        (folder / "metadata.json").write_text(EARLIER_OUTPUT)
    (parent / "notes.txt").write_text("the parent's notes\n")
    (work / "data.csv").write_text("a,b\n1,2\n")
    (work / "sub" / "keep.bin").write_bytes(bytes(range(256)))
    (other / "thesis.tex").write_text("\\documentclass{article}\n")
    (other / "deep" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    (home / ".bashrc").write_text("export X=1\n")
    return {"root": root, "parent": parent, "work": work, "other": other, "home": home}


@pytest.fixture(scope="module")
def mpl_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A matplotlib config folder with its font cache built (nothing left to write)."""
    folder = tmp_path_factory.mktemp("mpl")
    env = {**os.environ, "MPLCONFIGDIR": str(folder)}
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], env=env, check=True)
    return folder


@pytest.fixture
def seeded_result() -> negsim.Result:
    return negsim.solve(negsim.load("textbook/ultimatum"), concepts=["spe"])


@pytest.fixture
def negsim_run(negsim_exe: str, mpl_dir: Path):
    """Run the real executable in ``cwd`` with ``home`` as HOME; keyword arguments go to
    :func:`subprocess.run`."""

    def _run(args: list[str], cwd: Path, home: Path, **kwargs) -> subprocess.CompletedProcess:
        env = {**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(mpl_dir)}
        return subprocess.run(
            [negsim_exe, *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            **kwargs,
        )

    return _run


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    return lines[0]


def invoke(args: list[str]) -> tuple[int, list[str]]:
    """Run ``negsim ARGS`` in this process: exit code and stderr lines."""
    result = CliRunner().invoke(cli, args)
    assert "internal error" not in result.output and "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


# -- item 2: --force replaces negsim's own output and nothing else ---------------------------
@pytest.mark.slow
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("target", [".", "..", "../other"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_protected_targets_survive_byte_for_byte(negsim_run, tree, command, target, force):
    before = snapshot(tree["root"])
    args = [*COMMANDS[command], "--out", target, *(["--force"] if force else [])]
    proc = negsim_run(args, tree["work"], tree["home"])
    line = one_error_line(proc)
    assert "refusing" in line and target in line
    assert proc.stdout == ""  # refused before any work
    assert snapshot(tree["root"]) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_home_folder_survives(tree, command, monkeypatch):
    monkeypatch.setenv("HOME", str(tree["home"]))
    monkeypatch.chdir(tree["other"])
    before = snapshot(tree["root"])
    code, lines = invoke([*COMMANDS[command], "--out", str(tree["home"]), "--force"])
    assert code == 2
    assert lines == [
        f"error: refusing to write the output into {tree['home']}: it is the home folder"
    ]
    assert snapshot(tree["root"]) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_force_replaces_an_earlier_output_of_the_same_command(tmp_path, command, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = [*COMMANDS[command], "--out", "out"]
    assert invoke(args)[0] == 0
    meta = json.loads((tmp_path / "out" / "metadata.json").read_text())
    assert meta[MARKER] == command
    code, lines = invoke(args)
    assert code == 2 and len(lines) == 1 and "exists" in lines[0]
    (tmp_path / "out" / "stale.txt").write_text("from the earlier run")
    assert invoke([*args, "--force"])[0] == 0
    assert not (tmp_path / "out" / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging or checkpoint left


def test_check_target_refuses_root_home_cwd_parents_links_and_files(tmp_path, monkeypatch):
    work = tmp_path / "a" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(tmp_path / "a"))
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "b").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "b")
    cases = {
        "/": "filesystem root",
        ".": "working folder",
        "": "working folder",
        str(work): "working folder",
        "..": "home folder",
        str(tmp_path): "contains the working folder",
        str(tmp_path / "file.txt"): "is a file",
        str(tmp_path / "link"): "symbolic link",
    }
    for target, why in cases.items():
        for force in (False, True):
            with pytest.raises(OutputError, match=why):
                check_target(target, force=force)
    assert check_target(tmp_path / "new", force=False) == tmp_path / "new"


def test_save_never_replaces_a_folder_of_other_files(tmp_path, seeded_result):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "metadata.json").write_text('{"author": "someone else"}')  # not negsim's
    (target / "notes.md").write_text("keep")
    before = snapshot(tmp_path)
    for force in (False, True):
        with pytest.raises(OutputError, match="negsim did not write"):
            seeded_result.save(target, force=force)
    assert snapshot(tmp_path) == before
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(OutputExistsError, match="force=True"):
        seeded_result.save(empty)
    seeded_result.save(empty, force=True)  # an empty folder holds nothing to lose
    assert negsim.Result.load(empty).metadata == seeded_result.metadata


def test_older_run_output_without_the_marker_is_still_recognised(tmp_path, seeded_result):
    folder = seeded_result.save(tmp_path / "old")
    meta = json.loads((folder / "metadata.json").read_text())
    del meta[MARKER]  # as written before the marker existed (it has negsim_version)
    (folder / "metadata.json").write_text(json.dumps(meta))
    seeded_result.save(folder, force=True)
    assert json.loads((folder / "metadata.json").read_text())[MARKER] == "run"


def test_sweep_never_deletes_a_foreign_checkpoint_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    foreign = tmp_path / ".out.checkpoint"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    code, lines = invoke([*COMMANDS["sweep"], "--out", "out", "--force"])
    assert code == 2 and len(lines) == 1 and "negsim did not write" in lines[0]
    assert [p.name for p in tmp_path.iterdir()] == [".out.checkpoint"]
    assert (foreign / "notes.txt").read_text() == "mine"


# -- item 3: unwritable places ----------------------------------------------------------------
LINUX = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc and /sys")


@pytest.mark.slow
@LINUX
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_proc_is_one_line(negsim_run, tree, command):
    target = "/proc/negsim-test/out"
    proc = negsim_run([*COMMANDS[command], "--out", target], tree["work"], tree["home"])
    line = one_error_line(proc)
    assert line.startswith("error: cannot write /proc/negsim-test")


@LINUX
@pytest.mark.parametrize("target", ["/sys/negsim-test", "FILE/out"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unwritable_place_is_one_line(tree, command, target, monkeypatch):
    monkeypatch.chdir(tree["work"])
    if target.startswith("FILE"):
        target = str(tree["work"] / "data.csv" / "out")
    before = snapshot(tree["root"])
    code, lines = invoke([*COMMANDS[command], "--out", target])
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: cannot write {Path(target).parent}")
    assert snapshot(tree["root"]) == before


def _file_size_limit(limit: int):
    def limit_writes() -> None:  # every write past `limit` bytes fails with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_full_disk_is_one_line_and_leaves_nothing(negsim_run, tree, command):
    """Writes fail for real (RLIMIT_FSIZE: no file may pass 64 bytes)."""
    cwd = tree["other"]
    before = snapshot(cwd)
    proc = negsim_run(
        [*COMMANDS[command], "--out", "out"], cwd, tree["home"], preexec_fn=_file_size_limit(64)
    )
    line = one_error_line(proc)
    assert "cannot write" in line and "out" in line and "File too large" in line
    assert snapshot(cwd) == before  # no output, no staging folder, no checkpoint


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_full_disk_keeps_the_earlier_output(tmp_path, monkeypatch, command):
    """``Path.write_text`` raising ENOSPC: exit 2, one line, the old folder byte for byte."""
    monkeypatch.chdir(tmp_path)
    args = [*COMMANDS[command], "--out", "out"]
    assert invoke(args)[0] == 0
    before = snapshot(tmp_path)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    monkeypatch.setattr(Path, "write_text", full)
    code, lines = invoke([*args, "--force"])
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith("error: cannot write ")
    assert "out" in lines[0] and "No space left on device" in lines[0]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_read_only_folder_is_one_line(tmp_path, monkeypatch, command):
    """A folder refusing new entries (simulated: the tests run as root, which chmod
    does not stop): exit 2 and one line naming it, nothing left behind."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_mkdir, real_open = os.mkdir, os.open

    def deny(path: object) -> None:
        name = os.fsdecode(path)  # type: ignore[call-overload]
        if Path(name).parent == locked:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)

    monkeypatch.setattr(os, "mkdir", lambda p, *a, **k: (deny(p), real_mkdir(p, *a, **k))[1])
    monkeypatch.setattr(os, "open", lambda p, *a, **k: (deny(p), real_open(p, *a, **k))[1])
    code, lines = invoke([*COMMANDS[command], "--out", str(locked / "out")])
    assert code == 2 and len(lines) == 1
    assert lines[0].startswith(f"error: cannot write {locked}") and "Permission denied" in lines[0]
    assert list(locked.iterdir()) == []


# -- item 9: permissions ----------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_has_the_users_permissions(negsim_run, tmp_path, command):
    umask = 0o027
    proc = negsim_run([*COMMANDS[command], "--out", "out"], tmp_path, tmp_path, umask=umask)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "out"
    paths = [out, *out.rglob("*")]
    assert len(paths) > 2
    for path in paths:
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_save_has_the_users_permissions(tmp_path, seeded_result):
    old = os.umask(0o007)
    try:
        folder = seeded_result.save(tmp_path / "out")
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o770
    assert {stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()} == {0o660}
