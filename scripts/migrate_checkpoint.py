"""Upgrade a router checkpoint saved in format modelsat-checkpoint/1 to /2, in place.

Format 2 renamed the network's config file (router_config.json -> network_config.json), its
instruction window fields (max_instruction_tokens -> instruction_tokens, max_card_tokens ->
card_tokens) and the training record's `router` config (now `network`). Weights are untouched.
The manifest is rewritten, so this refuses a checkpoint whose files do not match its old one.

    python scripts/migrate_checkpoint.py runs/my-router
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

OLD_FORMAT, NEW_FORMAT = "modelsat-checkpoint/1", "modelsat-checkpoint/2"
RENAMED_FIELDS = {"max_instruction_tokens": "instruction_tokens", "max_card_tokens": "card_tokens"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rename_fields(config: dict) -> dict:
    return {RENAMED_FIELDS.get(key, key): value for key, value in config.items()}


def migrate(folder: Path) -> None:
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != OLD_FORMAT:
        raise SystemExit(f"{folder}: format {manifest.get('format')!r}, not {OLD_FORMAT}; nothing to do")
    for name, digest in manifest["files"].items():
        if _sha256(folder / name) != digest:
            raise SystemExit(f"{folder}: {name} does not match its manifest; refusing to re-sign it")
    old_config = folder / "router_config.json"
    config = _rename_fields(json.loads(old_config.read_text(encoding="utf-8")))
    (folder / "network_config.json").write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    old_config.unlink()
    record_path = folder / "training.json"
    if record_path.is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        recorded = record.get("config", {})
        if isinstance(recorded.get("router"), dict):
            recorded["network"] = _rename_fields(recorded.pop("router"))
        record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json")
    manifest = {"format": NEW_FORMAT, "files": {str(p.relative_to(folder)): _sha256(p) for p in files}}
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    print(f"{folder}: migrated to {NEW_FORMAT}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for argument in sys.argv[1:]:
        migrate(Path(argument))
