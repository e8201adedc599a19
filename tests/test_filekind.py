"""Private package files are checked by content (SPC217): real archives pass, anything else is named."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from specc.validate.filekind import AR_MAGIC, GZIP_MAGIC, content_problem
from tests.helpers import EXAMPLES


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
    return buf.getvalue()


def _targz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("pkg/DESCRIPTION")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"x\n\n"))
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("kitchen-sink/lib/libchurn_1.0_amd64.deb", ".deb"),
        ("kitchen-sink/lib/churn-udfs-1.2.0.jar", ".jar"),
        ("kitchen-sink/dist/featurizer-0.3.0-py3-none-any.whl", ".whl"),
        ("kitchen-sink/lib/churnr_0.3.0.tar.gz", ".tar.gz"),
    ],
)
def test_the_examples_real_packages_pass(name: str, suffix: str) -> None:
    assert content_problem(EXAMPLES / name, suffix) is None


@pytest.mark.parametrize(
    ("suffix", "data"),
    [(".whl", _zip()), (".jar", _zip()), (".tar.gz", _targz()), (".deb", AR_MAGIC + b"debian-binary   ")],
)
def test_real_archives_pass(tmp_path: Path, suffix: str, data: bytes) -> None:
    f = tmp_path / f"x{suffix}"
    f.write_bytes(data)
    assert content_problem(f, suffix) is None


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".deb", ".whl", ".jar", ".tar.gz"]))
def test_random_bytes_are_named(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    """Bytes without the format's magic never pass, and never raise."""
    f = tmp_path_factory.mktemp("kind") / f"x{suffix}"
    f.write_bytes(data)
    problem = content_problem(f, suffix)
    magic = {".deb": AR_MAGIC, ".whl": b"PK", ".jar": b"PK", ".tar.gz": GZIP_MAGIC}[suffix]
    if not data.startswith(magic) and b"PK\x05\x06" not in data:
        assert problem is not None


def test_a_truncated_tar_gz_is_named(tmp_path: Path) -> None:
    f = tmp_path / "x_1.0.tar.gz"
    f.write_bytes(_targz()[:20])
    assert content_problem(f, ".tar.gz") == "is not a gzip-compressed tar archive"
