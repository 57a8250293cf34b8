"""Headless chromium for the browser tests: screenshots, DOM dumps, PDFs, and a stdlib PNG decoder."""
from __future__ import annotations

import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

WINDOW = (1240, 1754)  # A4 at 150 dpi
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
INSTALL_HINT = "run `bash deploy/install-browser.sh` (Debian chromium, fonts-noto-cjk, zbar-tools)"


def require_tool(name: str) -> str:
    """The tool's path; the test fails (never skips) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: {INSTALL_HINT}")
    return path


class Chromium:
    """One headless chromium per call, with a throwaway profile directory.

    The binary is looked up at the first call, so a missing chromium fails the test itself.
    """

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        profile = self.workdir / "profile"
        command = [require_tool("chromium"), *FLAGS, f"--user-data-dir={profile}", *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stderr[-2000:]}"
        return done

    def screenshot(self, url: str, png: Path) -> Path:
        self._run(f"--screenshot={png}", f"--window-size={WINDOW[0]},{WINDOW[1]}", url)
        return png

    def dump_dom(self, url: str) -> str:
        return self._run("--dump-dom", f"--window-size={WINDOW[0]},{WINDOW[1]}", url).stdout

    def print_pdf(self, url: str, pdf: Path) -> Path:
        self._run(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url)
        return pdf


@dataclass
class Image:
    """An 8-bit RGB(A) image: one bytes object per row, `channels` bytes per pixel."""

    width: int
    height: int
    rows: list[bytes]
    channels: int

    def pixel(self, x: int, y: int) -> tuple[int, ...]:
        start = x * self.channels
        return tuple(self.rows[y][start:start + 3])

    def share(self, predicate, box: tuple[int, int, int, int] | None = None, step: int = 2) -> float:
        """Fraction of sampled pixels in box (x0, y0, x1, y1) for which predicate(r, g, b) holds."""
        x0, y0, x1, y1 = box or (0, 0, self.width, self.height)
        samples = [self.pixel(x, y) for y in range(y0, y1, step) for x in range(x0, x1, step)]
        return sum(1 for p in samples if predicate(*p)) / max(len(samples), 1)


def read_png(path: Path) -> Image:
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG with zlib alone."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks.setdefault(kind, []).append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"][0])
    assert depth == 8 and color in (2, 6) and interlace == 0, "only 8-bit RGB(A) non-interlaced PNGs"
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    return Image(width, height, _unfilter(raw, width * channels, height, channels), channels)


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    rows, previous = [], bytes(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        _UNFILTERS[kind](line, previous, bpp)
        previous = bytes(line)
        rows.append(previous)
    return rows


def _sub(line, prev, bpp):
    for i in range(bpp, len(line)):
        line[i] = (line[i] + line[i - bpp]) & 255


def _up(line, prev, bpp):
    line[:] = bytes((a + b) & 255 for a, b in zip(line, prev))


def _average(line, prev, bpp):
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255


def _paeth(line, prev, bpp):
    for i in range(len(line)):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255


_UNFILTERS = {0: lambda line, prev, bpp: None, 1: _sub, 2: _up, 3: _average, 4: _paeth}
