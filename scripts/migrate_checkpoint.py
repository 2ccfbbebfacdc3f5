"""Upgrade a router checkpoint saved in format modelsat-checkpoint/1 to /2, in place.

Format 2 renamed the network's config file (router_config.json -> network_config.json), its
instruction window fields (max_instruction_tokens -> instruction_tokens, max_card_tokens ->
card_tokens) and the training record's `router` config (now `network`). Weights are untouched.
The manifest is rewritten, so this refuses a checkpoint whose files do not match its old one.

    python scripts/migrate_checkpoint.py runs/my-router
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from router_core.model.checkpoint import (
    CONFIG_FILE,
    FORMAT,
    MANIFEST_FILE,
    OLD_FORMAT,
    TRAINING_RECORD,
    file_sha256,
    write_manifest,
)

OLD_CONFIG_FILE = "router_config.json"
RENAMED_FIELDS = {"max_instruction_tokens": "instruction_tokens", "max_card_tokens": "card_tokens"}


def _rename_fields(config: dict) -> dict:
    return {RENAMED_FIELDS.get(key, key): value for key, value in config.items()}


def migrate(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    if manifest.get("format") != OLD_FORMAT:
        raise SystemExit(f"{folder}: format {manifest.get('format')!r}, not {OLD_FORMAT}; nothing to do")
    for name, digest in manifest["files"].items():
        if file_sha256(folder / name) != digest:
            raise SystemExit(f"{folder}: {name} does not match its manifest; refusing to re-sign it")
    old_config = folder / OLD_CONFIG_FILE
    config = _rename_fields(json.loads(old_config.read_text(encoding="utf-8")))
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    old_config.unlink()
    record_path = folder / TRAINING_RECORD
    if record_path.is_file():
        record = json.loads(record_path.read_text(encoding="utf-8"))
        recorded = record.get("config", {})
        if isinstance(recorded.get("router"), dict):
            recorded["network"] = _rename_fields(recorded.pop("router"))
        record_path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    write_manifest(folder)
    print(f"{folder}: migrated to {FORMAT}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for argument in sys.argv[1:]:
        migrate(Path(argument))
