"""Legacy Office files (Word 97–2003 `.doc`, WPS `.wps`, WPS spreadsheets `.et`, and RTF
saved as `.doc`) converted by LibreOffice in headless mode, then read as DOCX or XLSX.

The conversion runs in a private, throw-away profile whose settings switch macro execution
off, with no network access configured and a timeout (its whole process group is killed
when it runs over). Without LibreOffice the file fails with one line naming what to
install. OLE2 files come here from the XLS reader, which shares their signature and tells
a Word document from a workbook by its stream names; RTF is recognised by its signature.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile

from ..model import Document
from .errors import read_error

NAME = "legacy_office"
LABEL = "legacy Office"
SUFFIXES = (".doc", ".wps", ".et", ".rtf")
TIMEOUT = 120.0
INSTALL_HINT = ("needs LibreOffice to convert it "
                "(apt-get install libreoffice-writer-nogui libreoffice-calc-nogui)")
# the profile's settings: macros never run, no update check, no first-start wizard
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Jobs/Jobs/org.openoffice.Office.Jobs:Job['UpdateCheck']/Arguments"><prop oor:name="AutoCheckEnabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Setup/Office"><prop oor:name="FirstStartWizardCompleted" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
# what each source suffix is converted to (a .doc/.wps/.rtf is a text document)
_TARGET = {".et": "xlsx"}


def matches(head: bytes, zip_names: frozenset[str] = frozenset()) -> bool:
    """RTF (often saved as `.doc`); OLE2 files are sent here by the XLS reader."""
    return head.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf")


def mismatch(head: bytes, zip_names: frozenset[str] = frozenset()) -> str:
    return "not a Word 97/WPS/RTF file (no OLE2 or RTF signature)"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path: str, target: str | None = None) -> Document:
    """Convert with LibreOffice to DOCX (text documents) or XLSX (`.et`, or `target`) and read
    that; the Document keeps the original path and names the format it came from."""
    from . import docx, xlsx

    suffix = os.path.splitext(path)[1].lower()
    target = target or _TARGET.get(suffix, "docx")
    binary = soffice()
    if binary is None:
        raise read_error(path, f"{suffix or 'legacy Office'} file {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as tmp:
        profile = os.path.join(tmp, "profile")
        os.makedirs(os.path.join(profile, "user"))
        with open(os.path.join(profile, "user", "registrymodifications.xcu"), "w", encoding="utf-8") as fh:
            fh.write(_REGISTRY)
        source = os.path.join(tmp, "in" + (suffix if suffix in SUFFIXES else ".doc"))
        shutil.copyfile(path, source)
        out_dir = os.path.join(tmp, "out")
        os.makedirs(out_dir)
        cmd = [binary, "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
               f"-env:UserInstallation=file://{profile}", "--convert-to", target, "--outdir", out_dir, source]
        env = dict(os.environ, HOME=tmp, SAL_USE_VCLPLUGIN="svp")
        _run(cmd, env, path)
        produced = [f for f in os.listdir(out_dir) if f.endswith("." + target)]
        if not produced:
            raise read_error(path, f"LibreOffice could not convert this {suffix or 'file'} to {target.upper()}")
        doc = (xlsx if target == "xlsx" else docx).read(os.path.join(out_dir, produced[0]))
    doc.path = path
    doc.reader = suffix.lstrip(".") or NAME
    doc.meta["converted_by"] = "libreoffice"
    return doc


def _run(cmd: list[str], env: dict[str, str], path: str) -> None:
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    try:
        proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise read_error(path, f"LibreOffice took longer than {TIMEOUT:.0f} s to convert it") from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
