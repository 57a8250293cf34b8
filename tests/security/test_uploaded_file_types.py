"""Issue 17, point 4: a file is stored under its declared type only if it is that type from start to end."""
from __future__ import annotations

import struct
import zlib

from yici_testkit import PDF, upload

HTML_AS_PDF = (b"%PDF-1.4\n<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head>"
               b"<body>not a PDF</body></html>\n")


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + \
        chunk(b"IEND", b"")


def _problem_codes(response) -> list[str]:
    return [p["code"] for p in response.json()["problems"]]


def test_an_html_page_beginning_with_pdf_is_refused_with_a_clear_problem(embedded):
    response = upload(embedded.url(""), HTML_AS_PDF)
    assert response.status_code == 422, response.text
    assert _problem_codes(response) == ["markup_content"]
    assert response.json()["problems"][0]["field"] == "body"


def test_a_pdf_header_without_its_end_marker_is_refused(embedded):
    response = upload(embedded.url(""), b"%PDF-1.4\n1 0 obj <<>> endobj\n" + b"x" * 4096)
    assert response.status_code == 422, response.text
    assert _problem_codes(response) == ["truncated_or_disguised"]


def test_a_real_minimal_pdf_is_still_accepted(embedded):
    response = upload(embedded.url(""), PDF)
    assert response.status_code == 201, response.text
    assert response.json()["file_ref"].startswith("F")


def test_images_are_checked_by_their_full_signature_and_end(embedded):
    assert upload(embedded.url(""), _png(), "image/png").status_code == 201
    assert upload(embedded.url(""), b"\x89PNG" + b"\x00" * 64, "image/png").status_code == 415
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
    assert upload(embedded.url(""), jpeg, "image/jpeg").status_code == 201
    truncated = upload(embedded.url(""), jpeg[:-2], "image/jpeg")
    assert truncated.status_code == 422 and _problem_codes(truncated) == ["truncated_or_disguised"]
