"""Model bundle: a directory with ``manifest.json`` describing its components.

Layout::

    BUNDLE/manifest.json
    BUNDLE/<component>/<files>          e.g. dialogue/model.onnx, dialogue/tokenizer.json

``manifest.json``::

    {"format": 1, "name": "...", "components": {
        "dialogue": {
            "kind": "causal-lm",                      # what reads it
            "files": {"model": {"path": "dialogue/model.onnx", "sha256": "...", "size": 123}, ...},
            "io": {"inputs": [...], "outputs": [...]},  # ONNX input/output names
            "precision": "int8-dynamic",              # fp32 | int8-dynamic | int8-static | ...
            "source": "...", "licence": "...",
            "config": {...}                           # component-specific settings
        }}}

A bundle may hold any subset of components (``dialogue``, ``text_encoder``, ``generator``).
Files are verified against their sha256 when a component is first asked for, so a corrupt
file is reported by name before any session is built on it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edge_vdialog.errors import BundleError

MANIFEST = "manifest.json"
FORMAT = 1
REBUILD_HINT = ("restore it (`git checkout models/default`, or `rm -r models/smollm2 && make models`) or "
                "rebuild it with the export command in its model card")


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


@dataclass(frozen=True)
class FileEntry:
    path: str
    """Relative to the bundle root, POSIX separators."""
    sha256: str
    size: int
    """Bytes."""


@dataclass(frozen=True)
class Component:
    name: str
    root: Path
    kind: str
    files: dict[str, FileEntry]
    io: dict[str, list[str]] = field(default_factory=dict)
    precision: str = "fp32"
    source: str = ""
    licence: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    def path(self, role: str) -> Path:
        """Absolute path of the file with this role (``model``, ``tokenizer``, ...)."""
        try:
            return self.root / self.files[role].path
        except KeyError:
            raise BundleError(
                f"bundle component '{self.name}' has no '{role}' file "
                f"(it has: {', '.join(sorted(self.files)) or 'none'})",
                REBUILD_HINT,
            ) from None

    def verify(self) -> None:
        """Raise BundleError naming every missing, truncated or corrupt file."""
        problems = []
        for role, entry in self.files.items():
            p = self.root / entry.path
            if not p.is_file():
                problems.append(f"{entry.path} is missing")
            elif p.stat().st_size != entry.size:
                problems.append(f"{entry.path} has {p.stat().st_size} bytes, expected {entry.size}")
            elif sha256_file(p) != entry.sha256:
                problems.append(f"{entry.path} is corrupt (sha256 mismatch)")
        if problems:
            raise BundleError(
                f"bundle {self.root} component '{self.name}': " + "; ".join(problems), REBUILD_HINT
            )


@dataclass(frozen=True)
class Bundle:
    root: Path
    name: str
    components: dict[str, Component]

    @classmethod
    def load(cls, root: str | Path) -> Bundle:
        """Read the manifest. Files are checked per component by :meth:`component`."""
        root = Path(root)
        manifest = root / MANIFEST
        if not manifest.is_file():
            raise BundleError(f"no {MANIFEST} in {root}", "pass --bundle with a bundle directory")
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError(f"format {data.get('format')!r}, this runtime reads {FORMAT}")
            components = {
                name: _component(root, name, spec) for name, spec in data["components"].items()
            }
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise BundleError(f"{manifest} is not a valid manifest: {e}", REBUILD_HINT) from None
        return cls(root=root, name=str(data.get("name", root.name)), components=components)

    def has(self, name: str) -> bool:
        return name in self.components

    def component(self, name: str, verify: bool = True) -> Component:
        """The named component, its files verified against the manifest."""
        if name not in self.components:
            raise BundleError(
                f"bundle {self.root} has no '{name}' component "
                f"(it has: {', '.join(sorted(self.components)) or 'none'})",
                "choose a bundle that contains it",
            )
        comp = self.components[name]
        if verify:
            comp.verify()
        return comp


def _component(root: Path, name: str, spec: dict[str, Any]) -> Component:
    files = {role: FileEntry(str(f["path"]), str(f["sha256"]), int(f["size"]))
             for role, f in spec["files"].items()}
    for entry in files.values():
        if Path(entry.path).is_absolute() or ".." in Path(entry.path).parts:
            raise ValueError(f"file path {entry.path!r} leaves the bundle")
    return Component(
        name=name,
        root=root,
        kind=str(spec["kind"]),
        files=files,
        io={k: list(v) for k, v in spec.get("io", {}).items()},
        precision=str(spec.get("precision", "fp32")),
        source=str(spec.get("source", "")),
        licence=str(spec.get("licence", "")),
        config=dict(spec.get("config", {})),
    )


def models_dir() -> Path:
    """Where bundles live: ``$EDGE_VDIALOG_MODELS`` or ``models/`` in the checkout."""
    env = os.environ.get("EDGE_VDIALOG_MODELS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "models"


def default_bundle_dir() -> Path:
    """The committed default bundle: GPT-2 chit-chat dialogue, text encoder and GAN generator."""
    return models_dir() / "default"


def default_dialogue_bundle_dir() -> Path:
    """The default dialogue model: SmolLM2 where ``make models`` has built it, else the committed GPT-2.

    SmolLM2-135M-Instruct answers better (measured; see README), but it is built from a registry
    package at setup rather than committed, so a checkout without it still chats with GPT-2.
    """
    built = models_dir() / "smollm2"
    return built if (built / MANIFEST).is_file() else default_bundle_dir()
