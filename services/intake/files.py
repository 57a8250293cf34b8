"""Uploaded materials: streamed to a blob directory with their sha256, size and type checked."""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from shared.api import ApiError, problem

ALLOWED = {"application/pdf": (b"%PDF-",), "image/jpeg": (b"\xff\xd8\xff",),
           "image/png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR",), "application/ofd": (b"PK\x03\x04",)}
CHUNK = 64 * 1024
EDGE = 1024  # how much of the start and of the end of a file its type is checked on
# Markup that makes a browser (or a careless viewer) treat a file as a web page, whatever its first bytes say.
_MARKUP = re.compile(rb"<\s*(?:html|!doctype|script)\b", re.IGNORECASE)
# Each type's end: a PDF's trailer marker within its last KiB, a JPEG's EOI marker (trailing padding allowed).
_ENDINGS = {"application/pdf": (b"%%EOF", "a PDF ends with %%EOF"),
            "image/jpeg": (b"\xff\xd9", "a JPEG ends with its EOI marker FFD9")}


@dataclass(frozen=True)
class StoredFile:
    file_ref: str
    sha256: str
    size: int
    content_type: str


class BlobStore:
    """Files under `root/<first two hex digits of sha256>/<ref>`; nothing half-written is ever kept."""

    def __init__(self, root: Path, max_bytes: int = 20 * 1024 * 1024):
        self.root, self.max_bytes = Path(root), max_bytes

    def save(self, stream: IO[bytes], content_type: str, declared_sha256: str | None = None) -> StoredFile:
        _check_type(content_type)
        self.root.mkdir(parents=True, exist_ok=True)
        ref = f"F{uuid.uuid4().hex}"
        partial = self.root / f".{ref}.part"
        try:
            digest, size, head, tail = self._copy(stream, partial)
            _check_content(content_type, head, tail, size)
            if declared_sha256 and declared_sha256.lower() != digest:
                raise ApiError(422, [problem("X-Content-SHA256", "checksum", "文件校验值不符",
                                             "the body's sha256 differs from X-Content-SHA256")])
            final = self.root / digest[:2] / ref
            final.parent.mkdir(exist_ok=True)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        return StoredFile(ref, digest, size, content_type)

    def save_or_problems(self, stream: IO[bytes], content_type: str) -> tuple[StoredFile | None, list[dict]]:
        """For pages: the stored file, or the problems that refused it (shown next to the field)."""
        try:
            return self.save(stream, content_type), []
        except ApiError as refused:
            return None, refused.problems

    def path(self, ref: str, sha256: str) -> Path:
        """Where a stored file is (its record gives the digest)."""
        return self.root / sha256[:2] / ref

    def _copy(self, stream: IO[bytes], target: Path) -> tuple[str, int, bytes, bytes]:
        """Copy the stream into `target`; returns its sha256, size, first and last KiB."""
        digest, size, head, tail = hashlib.sha256(), 0, b"", b""
        with target.open("wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ApiError(413, [problem("body", "too_large", "文件过大",
                                                 f"files may be at most {self.max_bytes} bytes")])
                if len(head) < EDGE:
                    head += chunk[:EDGE - len(head)]
                tail = (tail + chunk)[-EDGE:]
                digest.update(chunk)
                out.write(chunk)
        return digest.hexdigest(), size, head, tail


def _check_type(content_type: str) -> None:
    if content_type not in ALLOWED:
        raise ApiError(415, [problem("Content-Type", "unsupported_file_type", "不支持的文件类型",
                                     f"allowed types: {', '.join(sorted(ALLOWED))}")])


def _check_content(content_type: str, head: bytes, tail: bytes, size: int) -> None:
    """The declared type must hold from the first bytes to the last: its full signature at the start, its end
    marker at the end, and no web-page markup at the start (an HTML page beginning with %PDF is not a PDF)."""
    if size == 0:
        raise ApiError(422, [problem("body", "empty", "文件为空", "the file is empty")])
    if not head.startswith(ALLOWED[content_type]):
        raise ApiError(415, [problem("body", "type_mismatch", "文件内容与声明的类型不符",
                                     f"the content is not {content_type}")])
    if _MARKUP.search(head):
        raise ApiError(422, [problem("body", "markup_content", "文件含有网页标记，不是所声明的文件类型",
                                     f"the file holds HTML or script markup, not a {content_type} document")])
    ending = _ENDINGS.get(content_type)
    if ending is not None and ending[0] not in tail:
        raise ApiError(422, [problem("body", "truncated_or_disguised", "文件结尾不符合所声明的类型（文件不完整或类型不符）",
                                     f"{ending[1]}; this file does not (truncated, or not a {content_type})")])
