"""pdfium's font substitutes loaded once per process (`readers/pdf_fonts.py`).

The corpus PDFs name the CID font STSong-Light without embedding it; pdfium substitutes a
system font (on CI `.ci/run` installs Debian's `uming.ttc`, a collection of four faces).
Each check runs in a fresh interpreter: the process-wide font info and the kept pages are
what is tested, and another test of this session may already have loaded the font.
"""
from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from extractor.readers import pdf_fonts

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "corpus" / "15-final-accounts-errors.pdf", ROOT / "corpus" / "04-dept-report-errors.pdf"]

# renders, char boxes and object bounds of two corpus PDFs, and how often pdfium read a
# system font, with or without the wrapper (argv[1]: "plain" or "wrapped")
PROBE = """
import hashlib, json, sys
import pypdfium2
wrapped = sys.argv[1] == "wrapped"
if wrapped:
    from extractor.readers import pdf, pdf_fonts
out = {"pages": {}, "reads": []}
for path in sys.argv[2:]:
    if wrapped:
        pdf.read(path, ocr="never")  # the reader's way: the page that read a font is kept
        out["reads"].append(pdf_fonts.substitute_reads())
    doc = pypdfium2.PdfDocument(path)
    page = doc[0]
    digest = hashlib.sha256(page.render(scale=2).to_pil().tobytes())
    textpage = page.get_textpage()
    for k in range(textpage.count_chars()):
        digest.update(repr(textpage.get_charbox(k)).encode())
    for obj in page.get_objects():
        digest.update(repr(obj.get_bounds()).encode())
    out["pages"][path] = digest.hexdigest()
    textpage.close(); page.close(); doc.close()
if wrapped:
    out["reads"].append(pdf_fonts.substitute_reads())
    out["kept"] = pdf_fonts.kept_pages()
print(json.dumps(out))
"""


def _probe(mode: str, paths: list[Path]) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, mode, *map(str, paths + paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def probes() -> tuple[dict, dict]:
    return _probe("plain", CORPUS), _probe("wrapped", CORPUS)


def _has_cjk_substitute() -> bool:
    done = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True)
    return bool(done.stdout.strip())


def test_substitute_read_once_per_process(probes: tuple[dict, dict]) -> None:
    if not _has_cjk_substitute():
        pytest.skip("no CJK system font: pdfium substitutes its built-in Latin font")
    _, wrapped = probes
    # the first PDF reads the substitute once; its page is kept; the second PDF, and both
    # again (the reads after the reader and after the renders), read nothing more
    assert wrapped["reads"] == [1, 1, 1, 1, 1]
    assert wrapped["kept"] == 1


def test_same_glyphs_boxes_and_renders_with_the_substitute_kept(probes: tuple[dict, dict]) -> None:
    plain, wrapped = probes
    assert wrapped["pages"] == plain["pages"]


def _collection(offsets: list[int]) -> bytes:
    return b"ttcf" + struct.pack(">II", 0x10000, len(offsets)) + struct.pack(f">{len(offsets)}I", *offsets)


@pytest.mark.parametrize("offset, expected", [
    (376, [376, 28, 724, 1072]),   # pdfium's face moves to the head, the first takes its place
    (1072, [1072, 376, 724, 28]),
    (28, [28, 376, 724, 1072]),    # already first
    (999, [28, 376, 724, 1072]),   # no face there: pdfium takes the first, nothing moves
])
def test_first_face(offset: int, expected: list[int]) -> None:
    import ctypes

    data = _collection([28, 376, 724, 1072]) + b"\0" * 64
    buffer = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
    pdf_fonts._first_face(buffer, len(data), offset)
    assert list(struct.unpack(">4I", bytes(buffer)[12:28])) == expected
    assert bytes(buffer)[:12] == data[:12] and bytes(buffer)[28:] == data[28:]


def test_first_face_leaves_a_header_longer_than_the_data() -> None:
    import ctypes

    data = b"ttcf" + struct.pack(">II", 0x10000, 1000) + struct.pack(">2I", 28, 376)
    buffer = (ctypes.c_ubyte * len(data)).from_buffer_copy(data)
    pdf_fonts._first_face(buffer, len(data), 376)
    assert bytes(buffer) == data


KEEP_PROBE = """
import io, json, sys
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from PIL import Image
from extractor.readers import pdf, pdf_fonts
pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
path = sys.argv[1]
c = canvas.Canvas(path)
c.setFont("STSong-Light", 12)
c.drawString(72, 720, "某某局2023年部门决算收入合计1234.56万元")
c.drawImage(ImageReader(Image.new("RGB", (64, 64), "red")), 72, 500)
c.save()
pdf.read(path, ocr="never")
print(json.dumps({"reads": pdf_fonts.substitute_reads(), "kept": pdf_fonts.kept_pages()}))
"""


def test_a_page_with_an_image_is_not_kept(tmp_path):
    """A page holding an image is not copied into the keeper (its data would stay for the
    process's life): its font was read, nothing was kept."""
    done = subprocess.run([sys.executable, "-c", KEEP_PROBE, str(tmp_path / "image.pdf")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(done.stdout)
    assert got["reads"] >= 1 and got["kept"] == 0
