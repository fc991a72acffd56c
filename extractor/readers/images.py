"""Image reader: a photographed or scanned page (`.png .jpg .jpeg .tif .tiff`) read by OCR.

Each frame of a multi-page TIFF is a page. The pages go through `readers.ocr` and are
assembled exactly like the pages of a PDF (paragraphs, captions, table grids), so an image
of a 自评表 is read like the table itself. With `ocr="never"` the document is returned
empty with `needs_ocr=True`, as a scanned PDF would be.
"""
from __future__ import annotations

from typing import Any

from ..model import Document
from . import ocr as ocr_reader
from .builder import DocumentBuilder
from .errors import describe, read_error

NAME = "image"
LABEL = "image"
SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    return head.startswith(_SIGNATURES)


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "not a PNG, JPEG or TIFF image (no image signature)"


def read(path: str, ocr: str = "auto") -> Document:
    from PIL import Image, UnidentifiedImageError

    from .pdf import _assemble

    Image.MAX_IMAGE_PIXELS = ocr_reader.MAX_PIXELS
    try:
        with Image.open(path) as image:
            n_frames = getattr(image, "n_frames", 1)
            if ocr == "never":
                return DocumentBuilder(path, NAME).build(
                    pages=n_frames, needs_ocr=True,
                    meta={"reason": "needs OCR", "ocr_pages": list(range(1, n_frames + 1))})
            engine = ocr_reader.engine_name()
            pages: list[list[tuple[str, Any]]] = []
            read_pages: dict[int, ocr_reader.OcrPage] = {}
            limit = ocr_reader.max_pages()
            for i in range(min(n_frames, limit)):
                image.seek(i)
                read_pages[i + 1] = ocr_reader.read_image(image.copy(), engine)
                pages.append(read_pages[i + 1].items)
    except ocr_reader.OcrUnavailable as exc:
        raise read_error(path, f"image needs OCR: {exc}") from None
    except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise read_error(path, f"cannot read image ({describe(exc)})") from None
    except (OSError, SyntaxError, EOFError) as exc:
        raise read_error(path, f"corrupt or truncated image ({describe(exc)})") from None
    builder = DocumentBuilder(path, NAME)
    _assemble(builder, pages)
    meta: dict[str, Any] = {"ocr_engine": engine, "ocr_read_pages": sorted(read_pages), "_ocr": read_pages}
    skipped = list(range(limit + 1, n_frames + 1))
    if skipped:
        meta.update(reason="needs OCR", ocr_pages=skipped, ocr_note=f"OCR stops after {limit} pages")
    doc = builder.build(pages=n_frames, needs_ocr=bool(skipped), meta=meta)
    ocr_reader.locate_confidence(doc)
    return doc
