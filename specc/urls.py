"""Index and repository URLs: well-formed, and credentials only as ``${SECRET}`` placeholders.

A literal credential (``user:pass@``, ``?token=``) is an error that says how to
use a secret instead; ``${NAME}`` placeholders must name declared secrets
(contract, "Principles").  Messages never repeat the credential: they name the
part of the URL, and the renderer masks the source excerpt.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import urlsplit

from specc.diagnostics import Severity

PLACEHOLDER_RE = re.compile(r"\$\{([^}]*)\}")
NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_ONLY_PLACEHOLDERS = re.compile(r"(\$\{[A-Za-z_][A-Za-z0-9_]*\})+")
_SECRET_QUERY_KEY = re.compile(r"token|key|password|passwd|secret|sig|auth")
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class UrlProblem:
    code: str
    severity: Severity
    message: str
    hint: str | None = None


def check_url(value: str, *, what: str, secret_names: Collection[str]) -> list[UrlProblem]:
    """Every problem of one URL (empty when it is fine)."""
    if value.strip() != value or any(c.isspace() for c in value):
        return [
            UrlProblem("SPC115", "error", f"{what} contains whitespace", "remove spaces and line breaks from the URL")
        ]
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return [UrlProblem("SPC115", "error", f"invalid {what}: {exc}")]
    # a host built from a placeholder is unusual but not wrong
    if parts.scheme not in ("http", "https") or not (parts.hostname or "${" in parts.netloc):
        return [
            UrlProblem(
                "SPC115", "error", f"invalid {what} {value!r}", "use an http(s) URL, e.g. https://pypi.org/simple"
            )
        ]
    out: list[UrlProblem] = []
    if "@" in parts.netloc:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        if any(piece and not _ONLY_PLACEHOLDERS.fullmatch(piece) for piece in userinfo.split(":")):
            out.append(
                UrlProblem(
                    "SPC401",
                    "error",
                    f"{what} contains a literal credential",
                    "declare a secret and reference it: [secrets.PYPI_TOKEN] and "
                    "https://${PYPI_USER}:${PYPI_TOKEN}@host/simple",
                )
            )
    for m in re.finditer(r"(?:^|&)([^=&]+)=([^&]*)", parts.query):
        key, val = m.group(1), m.group(2)
        if _SECRET_QUERY_KEY.search(key.lower()) and val and not _ONLY_PLACEHOLDERS.fullmatch(val):
            out.append(
                UrlProblem(
                    "SPC401",
                    "error",
                    f"{what} carries a literal credential in its query (`{key}=`)",
                    f"declare a secret and reference it: ?{key}=${{TOKEN}} with [secrets.TOKEN]",
                )
            )
            break
    placeholders = PLACEHOLDER_RE.findall(value)
    for name in placeholders:
        if not NAME_RE.match(name):
            out.append(
                UrlProblem(
                    "SPC114", "error", f"invalid secret name `{name}` in ${{...}}", "secret names are [A-Z_][A-Z0-9_]*"
                )
            )
        elif name not in secret_names:
            out.append(
                UrlProblem(
                    "SPC403",
                    "error",
                    f"${{{name}}} does not name a declared secret",
                    f"declare it: [secrets.{name}] with where each target finds it",
                )
            )
    if value.count("${") != len(placeholders):
        out.append(UrlProblem("SPC115", "error", f"unterminated ${{...}} placeholder in {what}", "write ${NAME}"))
    if not out and parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        out.append(
            UrlProblem(
                "SPC406", "warning", f"{what} uses plain http; packages and credentials travel unencrypted", "use https"
            )
        )
    return out
