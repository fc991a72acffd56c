"""`pdf_pdfium._written_integers`: a font's width array seen to hold integers only in the
file's bytes, without pdfminer parsing its thousands of numbers; anything else is left to
the parser (the check on fonts then reads it as before)."""
from __future__ import annotations

import io

import pytest
from pdfminer.pdfdocument import PDFDocument
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef

from extractor.readers.pdf_pdfium import _written_integers

ARRAYS = {
    4: b"[1 [500 600] 5 10 250]",       # a CID font's /W: integers in nested arrays
    5: b"[ 1 [ 500.5 600 ] ]",          # a fraction
    6: b"[1 [7 0 R]]",                  # a reference inside
    7: b"[-12 +3\n 400\r\n]",            # signs and line breaks
    8: b"[1 2 % a comment\n 3]",         # a comment: not looked into
}


def _pdf(bodies: dict[int, bytes]) -> bytes:
    """A PDF of these objects (1-3 the document's skeleton) with a correct xref table."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>", **bodies}
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    size = max(objects) + 1
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


@pytest.fixture(scope="module")
def document() -> tuple[PDFDocument, io.BytesIO]:
    stream = io.BytesIO(_pdf(ARRAYS))
    return PDFDocument(PDFParser(stream)), stream


@pytest.mark.parametrize("objid, expected", [(4, True), (5, False), (6, False), (7, True), (8, False)])
def test_integer_arrays_seen_in_the_bytes(document: tuple[PDFDocument, io.BytesIO], objid: int, expected: bool) -> None:
    doc, stream = document
    stream.seek(123)
    assert _written_integers(PDFObjRef(doc, objid), stream) is expected
    assert stream.tell() == 123  # pdfminer's parser reads on from where the file stood


def test_direct_arrays_and_unknown_objects_are_left_to_the_parser(document: tuple[PDFDocument, io.BytesIO]) -> None:
    doc, stream = document
    assert _written_integers([1, [500, 600]], stream) is False
    assert _written_integers(PDFObjRef(doc, 99), stream) is False
    assert _written_integers(PDFObjRef(doc, 4), None) is False


def test_an_offset_pointing_at_another_object_is_not_trusted() -> None:
    data = _pdf({4: ARRAYS[4], 5: ARRAYS[4]})
    # object 5's xref entry names object 4's position: the header's number disagrees
    entry4 = b"%010d 00000 n \n" % data.index(b"4 0 obj")
    entry5 = b"%010d 00000 n \n" % data.index(b"5 0 obj")
    stream = io.BytesIO(data.replace(entry5, entry4))
    doc = PDFDocument(PDFParser(stream))
    assert _written_integers(PDFObjRef(doc, 5), stream) is False
    assert _written_integers(PDFObjRef(doc, 4), stream) is True
