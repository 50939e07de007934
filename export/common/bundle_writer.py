"""Write components into a model bundle (see edge_vdialog/bundle.py for the format), atomically.

An export never writes into the bundle it replaces. It works in a sibling directory
``.NAME.export-PID/`` holding ``work/`` (scratch space for intermediate files) and ``bundle/`` (a
copy of the current bundle made of hard links, into which the new components are written). On
success the copy is fsynced and swapped in: the old bundle is renamed to ``.NAME.export-PID/old``,
the copy renamed to ``NAME``, and the export directory deleted. A kill at any moment leaves the old
bundle or the new one at ``NAME``, never a mix; what a killed export left behind is removed by the
next export into the same bundle, which first renames ``old`` back if the kill fell between the two
renames.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from edge_vdialog.bundle import FORMAT, MANIFEST, sha256_file

SIBLING = ".{name}.export-{pid}"
"""The export directory of process ``pid`` next to the bundle ``name``."""


class BundleExport:
    """One export into a bundle: ``work`` for scratch files, :meth:`write` for components."""

    def __init__(self, root: Path, name: str) -> None:
        self.root = root
        """The export directory (``.NAME.export-PID``)."""
        self.work = root / "work"
        """Scratch space, deleted with the export directory."""
        self.stage = root / "bundle"
        """The bundle as it will be once the export succeeds."""
        self.name = name
        """The bundle's name (its directory's)."""

    def write(self, name: str, files: dict[str, str | Path], *, kind: str,
              io: dict[str, list[str]] | None = None, precision: str = "fp32", source: str = "",
              licence: str = "", config: dict[str, Any] | None = None) -> None:
        """Copy ``files`` (role -> source path) into component ``name``, replacing all it had, and
        record them in the manifest; other components are kept."""
        comp_dir = self.stage / name
        shutil.rmtree(comp_dir, ignore_errors=True)       # unlinks the copy's links, not the old bundle
        comp_dir.mkdir(parents=True)
        entries = {role: self._copy(Path(src), comp_dir) for role, src in files.items()}
        path = self.stage / MANIFEST
        manifest = (json.loads(path.read_text(encoding="utf-8")) if path.is_file()
                    else {"format": FORMAT, "name": self.name, "components": {}})
        manifest["components"][name] = {
            "kind": kind, "files": entries, "io": io or {}, "precision": precision,
            "source": source, "licence": licence, "config": config or {},
        }
        tmp = path.with_suffix(".tmp")                    # a new file: the old manifest is a hard link
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def _copy(self, src: Path, comp_dir: Path) -> dict[str, Any]:
        dst = comp_dir / src.name
        shutil.copyfile(src, dst)
        return {"path": dst.relative_to(self.stage).as_posix(), "sha256": sha256_file(dst),
                "size": dst.stat().st_size}


@contextmanager
def bundle_export(bundle_dir: str | Path) -> Iterator[BundleExport]:
    """An export into ``bundle_dir`` (created if missing), swapped in when the block succeeds;
    if it raises, the bundle is left as it was and the export directory removed."""
    target = Path(bundle_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(target)
    export = BundleExport(target.parent / SIBLING.format(name=target.name, pid=os.getpid()), target.name)
    try:
        export.work.mkdir(parents=True)
        _link_copy(target, export.stage)
        yield export
        _swap(export, target)
    finally:
        shutil.rmtree(export.root, ignore_errors=True)


def write_component(bundle_dir: str | Path, name: str, files: dict[str, str | Path], **entry: Any) -> Path:
    """One component written atomically (see :meth:`BundleExport.write` for the arguments)."""
    with bundle_export(bundle_dir) as export:
        export.write(name, files, **entry)
    return Path(bundle_dir)


def clean_stale(target: Path) -> None:
    """Remove what killed exports into ``target`` left; restore the old bundle if one was killed
    between its two renames."""
    for stale in target.parent.glob(SIBLING.format(name=target.name, pid="*")):
        pid = stale.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if not target.exists() and (stale / "old").is_dir():
            os.rename(stale / "old", target)
        shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:           # someone else's process
        return True
    return True


def _link_copy(src: Path, dst: Path) -> None:
    """``dst`` as a copy of the directory ``src`` whose files are hard links (copies where the
    filesystem has none); empty if ``src`` does not exist."""
    if src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy)
    else:
        dst.mkdir()


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link of ``src`` at ``dst``, or a copy on another file system."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _swap(export: BundleExport, target: Path) -> None:
    """Make the staged bundle durable, then put it at ``target`` (the old one aside, then deleted)."""
    _fsync_tree(export.stage)
    old = export.root / "old"
    if target.exists():
        os.rename(target, old)
    os.rename(export.stage, target)
    _fsync(target.parent)


def _fsync_tree(root: Path) -> None:
    for folder, _, names in os.walk(root):
        for name in names:
            _fsync(Path(folder) / name)
        _fsync(Path(folder))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
