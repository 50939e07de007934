"""Write components into a model bundle (see edge_vdialog/bundle.py for the format)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from edge_vdialog.bundle import FORMAT, MANIFEST, sha256_file


def write_component(
    bundle_dir: str | Path,
    name: str,
    files: dict[str, str | Path],
    *,
    kind: str,
    io: dict[str, list[str]] | None = None,
    precision: str = "fp32",
    source: str = "",
    licence: str = "",
    config: dict[str, Any] | None = None,
) -> Path:
    """Copy ``files`` (role -> source path) into ``bundle_dir/name/`` and record them in the manifest.

    Files already inside ``bundle_dir/name/`` are left in place. Other components in the
    manifest are kept; this one is replaced. The manifest is written atomically.
    """
    root = Path(bundle_dir)
    comp_dir = root / name
    comp_dir.mkdir(parents=True, exist_ok=True)
    entries = {}
    for role, src in files.items():
        src = Path(src)
        dst = comp_dir / src.name
        if src.resolve() != dst.resolve():
            shutil.copyfile(src, dst)
        entries[role] = {
            "path": dst.relative_to(root).as_posix(),
            "sha256": sha256_file(dst),
            "size": dst.stat().st_size,
        }
    manifest_path = root / MANIFEST
    manifest = (json.loads(manifest_path.read_text(encoding="utf-8"))
                if manifest_path.is_file() else {"format": FORMAT, "name": root.name, "components": {}})
    manifest["components"][name] = {
        "kind": kind,
        "files": entries,
        "io": io or {},
        "precision": precision,
        "source": source,
        "licence": licence,
        "config": config or {},
    }
    tmp = manifest_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, manifest_path)
    return root
