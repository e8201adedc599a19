"""Normalizing a spec without consulting any target's capability table.

A target test asks the target itself what it cannot express, so it needs the normalized spec
even for a fragment ``specc validate`` rejects because an implied target's table raises an
error (validate = render).  Only the capability step is switched off; every other rule holds.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import specc.backends
from specc.api import check_text as _check_text


def check_text(text: str, *, base_dir: str | os.PathLike[str] | None = None, **kw: Any) -> Any:
    """:func:`specc.api.check_text` with ``specc.backends.check_capabilities`` answering nothing."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(specc.backends, "check_capabilities", lambda spec, targets: [])
        return _check_text(text, base_dir=base_dir, **kw)
