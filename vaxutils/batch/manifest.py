"""Per-commune manifest: what a run read and with which parameters, so reruns can skip it.

A commune is skipped when its manifest says the last run succeeded, its report still exists,
and the fingerprint (SHA-256 of the inputs, the notebook and the parameters) is unchanged.

>>> a = fingerprint({"export": "ab12"}, {"mask": True})
>>> a == fingerprint({"export": "ab12"}, {"mask": True}), a == fingerprint({"export": "ab12"}, {"mask": False})
(True, False)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import vaxutils

MANIFEST_NAME = "manifest.json"


def fingerprint(inputs: dict[str, str | None], params: dict) -> str:
    """SHA-256 over input hashes, run parameters and the vaxutils version."""
    payload = json.dumps(
        {"inputs": inputs, "params": params, "version": vaxutils.__version__},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_manifest(commune_dir: Path) -> dict | None:
    """The manifest of a commune folder, or None (missing or unreadable: run again)."""
    try:
        return json.loads((commune_dir / MANIFEST_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return None


def is_fresh(commune_dir: Path, expected: str) -> dict | None:
    """The manifest if the commune's last run is still valid for ``expected``, else None."""
    manifest = read_manifest(commune_dir)
    if not manifest or manifest.get("status") != "ok" or manifest.get("fingerprint") != expected:
        return None
    report = manifest.get("report")
    if not report or not (commune_dir.parent / report).is_file():
        return None
    return manifest


def write_manifest(commune_dir: Path, manifest: dict) -> Path:
    """Write the manifest atomically."""
    from vaxutils.io.writers import write_json

    return write_json(commune_dir / MANIFEST_NAME, manifest)
