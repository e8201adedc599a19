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


def _literal(piece: str) -> bool:
    return bool(piece) and not _ONLY_PLACEHOLDERS.fullmatch(piece)


def _literal_userinfo_secret(userinfo: str) -> bool:
    """Whether a URL's ``user[:password]`` holds a literal secret.

    The password is the secret when there is one: ``__token__:${TOKEN}`` (PyPI's and GitLab's
    token convention) or ``deploy:${PASSWORD}`` name a literal user, which is not a credential.
    Without a password the user part is the credential (``https://TOKEN@pypi.fury.io/...``,
    ``https://TOKEN:@github.com/...``), so it must be a placeholder.
    """
    user, _, password = userinfo.partition(":")
    return _literal(password) if password else _literal(user)


def check_url(
    value: str, *, what: str, secret_names: Collection[str], example: tuple[str, str] = ("pypi.org", "/simple")
) -> list[UrlProblem]:
    """Every problem of one URL (empty when it is fine); ``example`` (host, path) is what the
    hints show as a good URL of this kind (an index by default, a file for a requirement)."""
    host, tail = example
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
            UrlProblem("SPC115", "error", f"invalid {what} {value!r}", f"use an http(s) URL, e.g. https://{host}{tail}")
        ]
    out: list[UrlProblem] = []
    if "@" in parts.netloc and _literal_userinfo_secret(parts.netloc.rsplit("@", 1)[0]):
        out.append(
            UrlProblem(
                "SPC401",
                "error",
                f"{what} contains a literal credential",
                "declare a secret and reference it: [secrets.PYPI_TOKEN] and "
                f"https://${{PYPI_USER}}:${{PYPI_TOKEN}}@host{tail}",
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


#: VCS schemes pip accepts in a direct reference (``name @ git+https://...@<commit>``)
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_WHEEL_URL_EXAMPLE = ("files.example.com", "/pkg-1.0-py3-none-any.whl")
_WHEELS_HINT = "list local wheels under python.wheels (copied with the model and installed by every target)"


def check_requirement_url(value: str, *, secret_names: Collection[str]) -> list[UrlProblem]:
    """Every problem of a requirement's direct reference (the ``url`` of ``name @ url``).

    The one rule for a requirement URL, wherever it is written (a spec entry, its table's
    ``url``, or a line of a requirements file):

    - ``file:`` URLs and paths (SPC131): a path on the machine that installs, which no target
      has; the wheel belongs under ``python.wheels``, which every target ships.
    - VCS URLs (``git+https://...``, SPC131): refused.  Installing them needs git (and the
      repository's credentials) where the environment is built (a serving container, a
      Databricks cluster), and a tag or branch is not a pin.
    - anything else is an http(s) URL checked as an index URL is (:func:`check_url`:
      credentials only as declared ``${SECRET}`` placeholders, plain http warned).
    """
    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
    # a file: URL, or a path written as the URL (./dist/x.whl, /abs/x.whl, C:/x.whl): pip
    # reads both from the installing machine's disk
    if scheme == "file" or value.startswith((".", "/", "~", "\\")) or re.match(r"[A-Za-z]:[\\/]", value):
        return [
            UrlProblem(
                "SPC131",
                "error",
                "requirement URL is a local path: no target can install from a path on this machine",
                f'{_WHEELS_HINT}; a remote file as "name @ https://..."',
            )
        ]
    if scheme.startswith(_VCS_PREFIXES):
        return [
            UrlProblem(
                "SPC131",
                "error",
                f"VCS requirement URL (`{scheme}`) is not supported: targets would need {scheme.split('+')[0]} and "
                "the repository's credentials where they install",
                'build a wheel at a commit (pip wheel --no-deps "git+https://host/repo.git@<commit>") and '
                "list it under python.wheels, or publish a tagged release to a private index (python.index-url)",
            )
        ]
    return check_url(value, what="requirement URL", secret_names=secret_names, example=_WHEEL_URL_EXAMPLE)
