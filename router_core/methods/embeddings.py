"""Instruction embeddings for the learned baseline routers, cached on disk.

Embedding every MMLU-Pro question with MiniLM takes minutes on a 2-core CPU, so vectors are
stored under `cache_dir()/embeddings/`, keyed by the encoder's identity and the sha256 of the
text: a second benchmark run reads them back instead of re-embedding. Routers receive an
`Embedder`, so tests (and quick runs) can inject the weight-free `HashingEmbedder`.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing
from functools import cached_property
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from tqdm import tqdm

from router_core.model.weights import MINILM, cache_dir, resolve_backbone

HASHING = "hashing"
_SQLITE_CHUNK = 500  # stays under SQLite's limit on bound parameters


@runtime_checkable
class Embedder(Protocol):
    """Texts to L2-normalised float32 vectors; `identity` names the encoder for caching."""

    @property
    def identity(self) -> str: ...

    def embed(self, texts: Sequence[str], *, progress: bool = True) -> np.ndarray: ...


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class TransformerEmbedder:
    """Mean-pooled hidden states of a sentence encoder (default all-MiniLM-L6-v2), loaded once, lazily."""

    def __init__(self, backbone: str = MINILM, *, max_length: int = 256, batch_size: int = 32) -> None:
        self.backbone = backbone
        self.max_length = max_length
        self.batch_size = batch_size

    @cached_property
    def _path(self) -> str:
        return resolve_backbone(self.backbone)

    @cached_property
    def identity(self) -> str:
        """Name, truncation, pooling and a fingerprint of the weights (file names and sizes, config)."""
        digest = hashlib.sha256()
        folder = Path(self._path)
        if folder.is_dir():
            for file in sorted(folder.iterdir()):
                if file.suffix in (".safetensors", ".bin"):
                    digest.update(f"{file.name}:{file.stat().st_size};".encode())
                elif file.name == "config.json":
                    digest.update(file.read_bytes())
        return f"{self.backbone}|max_length={self.max_length}|mean-pool-l2|{digest.hexdigest()[:16]}"

    @cached_property
    def _encoder(self):  # (tokenizer, model); transformers is imported only when something is embedded
        from transformers import AutoModel, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(self._path)
        model = AutoModel.from_pretrained(self._path)
        model.eval()
        return tokenizer, model

    def embed(self, texts: Sequence[str], *, progress: bool = True) -> np.ndarray:
        import torch

        from router_core.model.pooling import mean_pool

        tokenizer, model = self._encoder
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        with torch.inference_mode():
            for batch in tqdm(batches, desc="embedding", unit="batch", disable=not progress):
                tokens = tokenizer(
                    [texts[i] for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = model(**tokens).last_hidden_state
                out[batch] = mean_pool(hidden, tokens["attention_mask"]).numpy()
        return _l2_normalise(out)


class HashingEmbedder:
    """Hashed bag of words and word pairs: no weights, instant, deterministic (tests, quick runs)."""

    def __init__(self, dim: int = 384) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self.dim = dim
        self._vectorizer = HashingVectorizer(
            n_features=dim, ngram_range=(1, 2), alternate_sign=False, norm=None
        )

    @property
    def identity(self) -> str:
        return f"{HASHING}|dim={self.dim}"

    def embed(self, texts: Sequence[str], *, progress: bool = True) -> np.ndarray:
        return _l2_normalise(self._vectorizer.transform(list(texts)).toarray())


class CachedEmbedder:
    """Wraps an embedder with an SQLite store per encoder identity and an in-memory memo."""

    def __init__(self, inner: Embedder, folder: Path | None = None, *, chunk: int = 512) -> None:
        self.inner = inner
        self.folder = folder
        self.chunk = chunk
        self._memo: dict[str, np.ndarray] = {}

    @property
    def identity(self) -> str:
        return self.inner.identity

    @cached_property
    def path(self) -> Path:
        folder = self.folder or cache_dir() / "embeddings"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{hashlib.sha256(self.identity.encode()).hexdigest()[:16]}.sqlite"

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path)
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('encoder', ?)", (self.identity,))
        db.commit()
        return db

    def embed(self, texts: Sequence[str], *, progress: bool = True) -> np.ndarray:
        keys = [hashlib.sha256(text.encode()).hexdigest() for text in texts]
        wanted = {k: t for k, t in zip(keys, texts, strict=True) if k not in self._memo}
        if wanted:
            with closing(self._connect()) as db:
                self._memo.update(self._read(db, list(wanted)))
                missing = sorted((k for k in wanted if k not in self._memo), key=lambda k: len(wanted[k]))
                if missing:
                    self._embed_and_store(db, [(k, wanted[k]) for k in missing], progress)
        return np.stack([self._memo[k] for k in keys])

    def _read(self, db: sqlite3.Connection, keys: list[str]) -> Iterator[tuple[str, np.ndarray]]:
        for start in range(0, len(keys), _SQLITE_CHUNK):
            part = keys[start : start + _SQLITE_CHUNK]
            marks = ",".join("?" * len(part))
            rows = db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part)
            for key, blob in rows:
                yield key, np.frombuffer(blob, dtype=np.float32)

    def _embed_and_store(self, db: sqlite3.Connection, items: list[tuple[str, str]], progress: bool) -> None:
        """Embeds in chunks, committing each, so an interrupted run keeps what it computed."""
        with tqdm(
            total=len(items),
            desc=f"embedding ({self.identity.split('|')[0]})",
            unit="text",
            disable=not progress,
        ) as bar:
            for start in range(0, len(items), self.chunk):
                part = items[start : start + self.chunk]
                vectors = self.inner.embed([text for _, text in part], progress=False)
                pairs = [(key, vector) for (key, _), vector in zip(part, vectors, strict=True)]
                db.executemany(
                    "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                    [(key, vector.tobytes()) for key, vector in pairs],
                )
                db.commit()
                self._memo.update(pairs)
                bar.update(len(part))


def make_embedder(name: str = MINILM, *, cache: bool = True) -> Embedder:
    """`hashing`, or a sentence encoder (builtin name, local path) cached on disk unless `cache=False`."""
    if name == HASHING:
        return HashingEmbedder()
    encoder = TransformerEmbedder(name)
    return CachedEmbedder(encoder) if cache else encoder
