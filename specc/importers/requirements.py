"""The pip requirements converter: ``requirements.txt`` → ``[python]`` (``specc import --from
requirements``, ``specc init``, and every importer that meets requirement strings).

What it carries over, each entry with its ``file:line``:

- PEP 508 lines → ``python.requirements`` (packaging's canonical string: ``numpy >= 1.2`` →
  ``numpy>=1.2``); a line's trailing ``--hash``/``--config-settings`` options are cut (SPC710);
- ``-r FILE`` is followed (relative to the file, as pip does), ``-c FILE`` → ``python.constraints``
  (and a ``-r`` inside a constraints file is read as constraints too);
- ``-i/--index-url`` → ``python.index-url``, ``--extra-index-url`` → ``python.extra-index-urls``;
  a credential in a URL (``user:password@``, ``token@``, ``?token=``) becomes a ``${NAME}``
  placeholder of a declared secret named after the host (``PKGS_EXAMPLE_COM_PASSWORD``); an
  existing ``${NAME}`` placeholder (pip expands them from the environment) is declared as is;
- a local wheel (``./dist/x-1.0-py3-none-any.whl``) → ``python.wheels``;
- a bare URL of a wheel or sdist (``https://host/torchvision-0.18.1%2Bcpu-cp311-...whl``, or any
  URL with ``#egg=name``), which pip installs as it is → ``name @ URL``.

What it reports instead (never dropped): pip options with no spec key (``--find-links``,
``--trusted-host``, ``--pre``, ``--no-binary``, ``--hash``...: SPC710), editable installs,
local folders, VCS and ``file:`` URLs and lines packaging rejects (SPC711), ``-r``/``-c`` files
that are missing, URLs or cycles (SPC712).  A requirement left holding a credential-shaped token
is never written (SPC711).  Facts: pip's requirements file format,
https://pip.pypa.io/en/stable/reference/requirements-file-format/ (line continuations, ``#``
comments after whitespace, ``${VAR}`` expansion, per-requirement ``--hash``/``--config-settings``).
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from specc.importers.base import Draft, Source

REQUIREMENTS = ("python", "requirements")
CONSTRAINTS = ("python", "constraints")
WHEELS = ("python", "wheels")

OPTION_NOT_CARRIED = "SPC710"
REQUIREMENT_NOT_CARRIED = "SPC711"
INCLUDE_NOT_FOLLOWED = "SPC712"

# pip options that take a value, with a hint saying what to do instead (not carried over)
_OPTION_HINTS: dict[str, str] = {
    "-f": "publish the packages to an index (python.extra-index-urls) or ship wheels under python.wheels",
    "--find-links": "publish the packages to an index (python.extra-index-urls) or ship wheels under python.wheels",
    "--trusted-host": "serve the index over https with a valid certificate; specc does not disable TLS checks",
    "--no-binary": "build the wheel yourself and list it under python.wheels",
    "--only-binary": "targets install wheels where they exist; pin versions that have wheels",
    "--use-feature": "pip features are the consumer's choice, not the environment's",
    "--config-settings": "build the package into a wheel with these settings and list it under python.wheels",
    "-C": "build the package into a wheel with these settings and list it under python.wheels",
    "--global-option": "build the package into a wheel with these options and list it under python.wheels",
    "--install-option": "build the package into a wheel with these options and list it under python.wheels",
    "--hash": "`specc lock` records every distribution's sha256 in model-env.lock",
}
# pip options without a value
_FLAGS: dict[str, str] = {
    "--pre": "pin the pre-release versions you need (==) instead",
    "--prefer-binary": "pin versions that have wheels",
    "--require-hashes": "`specc lock` records every distribution's sha256 in model-env.lock",
    "--no-index": "the spec always names an index (python.index-url, default PyPI)",
}
#: the options pip applies to the one requirement of their line (pip's SUPPORTED_OPTIONS_REQ)
_REQUIREMENT_OPTIONS = frozenset({"--hash", "--config-settings", "-C", "--global-option", "--install-option"})
_VCS = ("git+", "hg+", "svn+", "bzr+")
_ENV_PLACEHOLDER = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_CREDENTIAL_QUERY_WORDS = frozenset(
    {"token", "key", "apikey", "password", "passwd", "pwd", "secret", "sig", "signature", "auth", "authorization",
     "credential", "credentials"}
)  # fmt: skip


def credential_query_key(key: str) -> bool:
    """Whether a URL query key names a credential, by its words (``token``, ``access_token``,
    ``api_key``, ``sig`` — Azure SAS —, ``X-Amz-Signature``, ``X-Amz-Credential``,
    ``X-Amz-Security-Token``, ``X-Goog-Signature``), so that ``X-Amz-SignedHeaders`` or
    ``sv``/``se`` are not (a substring test took SignedHeaders for a signature)."""
    words = [w for w in re.split(r"[-_.]|(?<=[a-z])(?=[A-Z])", key) if w]
    return any(w.lower() in _CREDENTIAL_QUERY_WORDS for w in words) or key.lower() in _CREDENTIAL_QUERY_WORDS


def read_requirements_file(
    path: Path,
    draft: Draft,
    *,
    root: Path,
    constraints: bool = False,
    _stack: tuple[Path, ...] = (),
) -> None:
    """Convert one pip requirements file into ``draft`` (``constraints=True``: every line is a
    constraint, as for a ``-c`` file).  ``root``: the imported folder; sources are relative to it.

    Never raises for bad input: an unreadable file is reported (SPC700 for the top file, SPC712
    for an included one); so is one outside the imported folder (:meth:`Draft.escapes`).
    """
    shown = display(path, root)
    if draft.escapes(path, shown, severity="warning" if _stack else "error"):
        return
    from specc.importers.base import DECODE_HINT, decode_text, read_problem

    data = None
    try:
        data = path.read_bytes()
        text = decode_text(data)
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        code, severity = ("SPC712", "warning") if _stack else ("SPC700", "error")
        message, where = read_problem(data, exc, shown)
        hint = DECODE_HINT if isinstance(exc, (UnicodeDecodeError, LookupError)) else None
        draft.report(code, message, source=where, severity=severity, hint=hint)  # type: ignore[arg-type]
        return
    stack = (*_stack, path.resolve())
    from specc.requirements import _logical_lines

    for lineno, _col, line in _logical_lines(text):
        source = f"{shown}:{lineno}"
        if line.startswith("-"):
            _option_line(line, source, draft, base=path.parent, root=root, constraints=constraints, stack=stack)
        else:
            _requirement(line, source, draft, constraints=constraints, base=path.parent, root=root)


def requirement_lines(lines: Iterable[tuple[str, Source]], draft: Draft, *, base: Path | None = None) -> None:
    """The converter for requirement strings found inside another format (cog's
    ``python_packages``, a bento's ``packages``, truss's ``requirements``, an environment.yml's
    ``pip:`` list): each is a PEP 508 string or a pip option line.  ``base``: the folder ``-r``/
    ``-c`` files and local wheels are relative to (None: they are reported, not followed)."""
    for text, source in lines:
        line = _strip_comment(text).strip()
        if not line:
            continue
        if line.startswith("-"):
            _option_line(line, source, draft, base=base, root=draft.root, constraints=False, stack=())
        else:
            _requirement(line, source, draft, constraints=False, base=base, root=draft.root)


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path``'s real path (every symlink resolved) is ``root``'s or below it."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def display(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it (POSIX separators), else as given."""
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:
        return path.as_posix()


def _strip_comment(text: str) -> str:
    return re.sub(r"(^|\s)#.*$", "", text)


def _option_line(
    line: str,
    source: Source,
    draft: Draft,
    *,
    base: Path | None,
    root: Path,
    constraints: bool,
    stack: tuple[Path, ...],
) -> None:
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if not words:
        return
    opt, _, inline = words[0].partition("=")
    if len(opt) > 2 and opt[1] != "-":  # "-rfile.txt" / "-ihttps://..."
        opt, inline = opt[:2], opt[2:]
    value = inline or (words[1] if len(words) > 1 else "")
    if opt in ("-r", "--requirement", "-c", "--constraint"):
        as_constraints = constraints or opt in ("-c", "--constraint")
        if not value:
            draft.report(INCLUDE_NOT_FOLLOWED, f"{opt} without a file name", source=source)
            return
        if base is None or "://" in value:
            draft.report(
                INCLUDE_NOT_FOLLOWED,
                f"{opt} {_safe(value)} is not followed" + (" (a URL)" if "://" in value else ""),
                source=source,
                hint="copy its lines into the spec (python.requirements or python.constraints)",
            )
            return
        target = base / os.path.expanduser(value)
        if target.resolve() in stack:
            draft.report(
                INCLUDE_NOT_FOLLOWED,
                f"{opt} {_safe(value)} includes a file already being read (a cycle)",
                source=source,
            )
            return
        if not _inside(target, root):  # as the peers' files: never read outside the imported folder
            draft.report(
                INCLUDE_NOT_FOLLOWED,
                f"{opt} {_safe(value)} is outside the imported folder; not followed",
                source=source,
                hint="keep the file inside the project (or copy its lines into the spec), "
                "or import from the folder that holds it",
            )
            return
        if not target.is_file():
            draft.report(
                INCLUDE_NOT_FOLLOWED,
                f"{opt} {_safe(value)}: no such file",
                source=source,
                hint="import from the folder pip runs in, or fix the path",
            )
            return
        read_requirements_file(target, draft, root=root, constraints=as_constraints, _stack=stack)
        return
    if opt in ("-i", "--index-url", "--extra-index-url"):
        if not value:
            draft.report(OPTION_NOT_CARRIED, f"{opt} without a URL", source=source)
            return
        if opt != "--extra-index-url":
            _replace_indexes(draft, source)  # before this URL's secrets are declared: they may share names
        url = url_with_secrets(value, draft, source)
        if url is None:
            return
        if opt == "--extra-index-url":
            draft.add(("python", "extra-index-urls"), url, source=source)
        else:
            draft.set(("python", "index-url"), url, source=source)
        return
    if opt in ("-e", "--editable"):
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            f"editable install {_safe(value)} is not carried over",
            source=source,
            hint="build a wheel (pip wheel --no-deps PATH) and list it under python.wheels, or list the "
            "package folder under code.paths",
        )
        return
    if opt in _OPTION_HINTS:
        draft.report(
            OPTION_NOT_CARRIED, f"pip option {opt} is not carried over", source=source, hint=_OPTION_HINTS[opt]
        )
        return
    if opt in _FLAGS:
        draft.report(OPTION_NOT_CARRIED, f"pip option {opt} is not carried over", source=source, hint=_FLAGS[opt])
        return
    draft.report(OPTION_NOT_CARRIED, f"pip option {_safe(opt)} is not carried over", source=source)


def _requirement(line: str, source: Source, draft: Draft, *, constraints: bool, base: Path | None, root: Path) -> None:
    from packaging.requirements import InvalidRequirement, Requirement

    line, options = _break_args_options(line)
    if options:
        names = list(dict.fromkeys(_option_name(o) for o in options if o.startswith("-")))
        scoped = [n for n in names if n in _REQUIREMENT_OPTIONS]
        ignored = [n for n in names if n not in _REQUIREMENT_OPTIONS]
        if scoped:
            opts = sorted(scoped)
            draft.report(
                OPTION_NOT_CARRIED,
                f"{', '.join(opts)} on this line {'is' if len(opts) == 1 else 'are'} not carried over",
                source=source,
                hint=_OPTION_HINTS[opts[0]],
            )
        if ignored:
            draft.report(
                OPTION_NOT_CARRIED,
                f"{', '.join(_safe(n) for n in ignored)} after a requirement "
                f"{'is' if len(ignored) == 1 else 'are'} ignored by pip (only --hash, --config-settings and "
                "--global-option apply to one requirement); not carried over",
                source=source,
                hint="put a global option on a line of its own if pip should apply it",
            )
    if line.startswith(_VCS) or " @ " + "git+" in line or re.search(r"@\s*(git|hg|svn|bzr)\+", line):
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            f"VCS requirement {_safe(line)} is not carried over",
            source=source,
            hint="build a wheel at a commit (pip wheel --no-deps URL) and list it under python.wheels, or "
            "publish a release to an index",
        )
        return
    if _looks_like_path(line):
        _local_path(line, source, draft, base=base, root=root)
        return
    named = _named_url(line)
    if named is None:
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            f"URL {_safe(line.split(';')[0].strip())} names no package (not a wheel or sdist file, no #egg=); "
            "not carried over",
            source=source,
            hint='write it as "name @ URL" in the spec',
        )
        return
    line = named
    try:
        req = Requirement(line)
    except InvalidRequirement as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            f"{_safe(line)} is not a PEP 508 requirement ({_safe(reason)}); not carried over",
            source=source,
            hint='write it as "name==version" in the spec',
        )
        return
    if req.url:
        if req.url.startswith("file:"):
            from urllib.parse import unquote

            local = Path(unquote(urlsplit(req.url).path))
            if local.suffix == ".whl" and base is not None and (base / local).is_file():
                draft.add(WHEELS, draft.spec_path(base / local), source=source)
                return
            draft.report(
                REQUIREMENT_NOT_CARRIED,
                f"{req.name} @ a file: URL is not carried over"
                + ("" if local.suffix == ".whl" else " (a local build: its version is not in the line)"),
                source=source,
                hint="list the wheel under python.wheels"
                if local.suffix == ".whl"
                else f"pip freeze writes this for a package built locally (conda's /croot/... folders); "
                f"`pip list --format=freeze` writes {req.name}==<version> instead",
            )
            return
        url = url_with_secrets(req.url, draft, source)
        if url is None:
            return
        req.url = url
    text = str(req)
    if _leaks(text):
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            "a requirement holding a credential-shaped value is not carried over",
            source=source,
            hint="put credentials in [secrets] and reference them as ${NAME} in index URLs",
        )
        return
    if constraints:
        if req.extras:
            req.extras = set()
            draft.report(
                OPTION_NOT_CARRIED, f"extras of constraint {req.name} are dropped (pip forbids them)", source=source
            )
        draft.add(CONSTRAINTS, str(req), source=source)
    else:
        draft.add(REQUIREMENTS, text, source=source)


def _replace_indexes(draft: Draft, source: Source) -> None:
    """pip's rule for ``-i``/``--index-url`` met while reading requirements files
    (``handle_option_line`` in pip/_internal/req/req_file.py: ``index_urls = [opts.index_url]``):
    it replaces the index AND every extra index URL read before it; extra index URLs after it
    are added.  What it replaces is taken out of the draft and reported (SPC703) at its line."""
    index = draft.entries.get(("python", "index-url"))
    if index is not None and index.items is None:
        taken = draft.remove(("python", "index-url"))
        if taken is not None:
            draft.forget_secrets(taken[0])
        draft.report(
            "SPC703",
            f"the --index-url at {source} replaces this one (pip uses the last); not carried over",
            source=index.source,
            hint="keep one --index-url, or list this index under --extra-index-url",
        )
    extras = draft.entries.get(("python", "extra-index-urls"))
    if extras is not None and extras.items:
        for _, where in list(extras.items):
            draft.report(
                "SPC703",
                f"the --index-url at {source} replaces this extra index URL (pip drops every index read before "
                "an --index-url); not carried over",
                source=where,
                hint="move this --extra-index-url after the --index-url if pip should use both",
            )
        taken = draft.remove(("python", "extra-index-urls"))
        if taken is not None:
            draft.forget_secrets(taken[0])


def _break_args_options(line: str) -> tuple[str, list[str]]:
    """pip's ``break_args_options`` (pip/_internal/req/req_file.py): the line split on spaces;
    the requirement is every token before the first one that starts with ``-``, the rest are
    options (``numpy==1.26.4 --hash=sha256:...``)."""
    tokens = line.split(" ")
    for i, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:i]).strip(), [t for t in tokens[i:] if t]
    return line.strip(), []


def _option_name(token: str) -> str:
    """``--hash=sha256:...`` → ``--hash``; ``-Ckey=value`` → ``-C``."""
    return token.split("=", 1)[0] if token.startswith("--") else token[:2]


def _named_url(line: str) -> str | None:
    """A bare URL line (pip installs ``https://host/x/name-1.0-py3-none-any.whl`` as it is) as
    PEP 508's ``name @ URL``: the name from the wheel or sdist file name (packaging's parsers) or
    from an ``#egg=name`` fragment; a line that is no bare URL is returned unchanged; None for a
    bare URL that names no package."""
    from urllib.parse import unquote

    from packaging.utils import InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename, parse_wheel_filename

    head, sep, marker = line.partition(";")
    url = head.strip()
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        return line
    parts = urlsplit(url)
    egg = re.search(r"(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)", parts.fragment)
    name: str | None = egg.group(1) if egg else None
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    if name is None:
        try:
            if filename.endswith(".whl"):
                name = str(parse_wheel_filename(filename)[0])
            elif filename.endswith((".tar.gz", ".zip")):
                name = str(parse_sdist_filename(filename)[0])
        except (InvalidWheelFilename, InvalidSdistFilename):
            name = None
    if name is None:
        return None
    return f"{name} @ {url}" + (f" ;{marker}" if sep else "")


def _looks_like_path(line: str) -> bool:
    head = line.split(";")[0].strip()
    return head.startswith((".", "/", "~", "file:")) or (
        head.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2")) and "://" not in head and " @ " not in head
    )


def _local_path(line: str, source: Source, draft: Draft, *, base: Path | None, root: Path) -> None:
    head = line.split(";")[0].strip()
    if head.startswith("file:"):
        head = urlsplit(head).path
    if head.endswith(".whl") and base is not None:
        wheel = (base / os.path.expanduser(head)).resolve()
        if wheel.is_file():
            draft.add(WHEELS, draft.spec_path(wheel), source=source)
            return
    if head.endswith(".whl"):
        draft.report(
            REQUIREMENT_NOT_CARRIED,
            f"local wheel {_safe(head)} is not carried over: "
            + ("no such file" if base is not None else "its folder is not known here"),
            source=source,
            hint="build the wheel, then import again from the folder pip runs in (or list it under python.wheels)",
        )
        return
    draft.report(
        REQUIREMENT_NOT_CARRIED,
        f"local path {_safe(head)} is not carried over",
        source=source,
        hint="build a wheel of it and list the wheel under python.wheels (shipped with the model)",
    )


#: the user name of token authentication on PyPI (``__token__:pypi-...``) and GitLab's package
#: registry: a fixed word, not a credential
TOKEN_USER = "__token__"


def url_with_secrets(url: str, draft: Draft, source: Source) -> str | None:
    """``url`` with each credential replaced by a ``${NAME}`` placeholder of a declared secret
    (``https://user:pw@pkgs.example.com/simple`` → ``https://${PKGS_EXAMPLE_COM_USER}:
    ${PKGS_EXAMPLE_COM_PASSWORD}@pkgs.example.com/simple``; a token alone →
    ``${PKGS_EXAMPLE_COM_TOKEN}``; ``?token=...`` → ``?token=${PKGS_EXAMPLE_COM_TOKEN}``).
    An existing ``${NAME}`` is declared as is.  None (reported) when the URL cannot be read."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        draft.report(OPTION_NOT_CARRIED, f"invalid URL {_safe(url)} is not carried over", source=source)
        return None
    stem = host.replace(".", "_").replace("-", "_") or "INDEX"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user, sep, password = userinfo.partition(":")
        if sep:
            # the password is the secret (specc.urls): a user name next to a ${NAME} password, or
            # PyPI's and GitLab's ``__token__`` convention, is a literal the spec accepts as is
            if user != TOKEN_USER and not (_ENV_PLACEHOLDER.match(password) and not _ENV_PLACEHOLDER.match(user)):
                user = _placeholder(user, f"{stem}_USER", draft, source)
            password = _placeholder(password, f"{stem}_PASSWORD", draft, source)
            netloc = f"{user}:{password}@{hostport}"
        else:
            netloc = f"{_placeholder(user, f'{stem}_TOKEN', draft, source)}@{hostport}"
    query = parts.query
    if query:
        pieces = []
        for piece in query.split("&"):
            key, eq, value = piece.partition("=")
            if eq and value and credential_query_key(key):
                value = _placeholder(value, f"{stem}_{key}", draft, source)
            pieces.append(f"{key}{eq}{value}")
        query = "&".join(pieces)
    out = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    if _leaks(out):
        draft.forget_secrets(out)  # the URL is not carried: nor are the secrets declared for it
        draft.report(
            OPTION_NOT_CARRIED,
            "a URL holding a credential-shaped value is not carried over",
            source=source,
            hint="put credentials in [secrets] and reference them as ${NAME}",
        )
        return None
    return out


def _placeholder(value: str, name: str, draft: Draft, source: Source) -> str:
    """An existing ``${NAME}`` declared as a secret; else a new secret for the literal value."""
    if not value:
        return value
    m = _ENV_PLACEHOLDER.match(value)
    if m:
        return draft.secret(m.group(1), source=source, referenced=True)
    return draft.secret(name, source=source)


def _leaks(url: str) -> bool:
    """Whether ``url`` (its credentials already replaced) still holds one, by the spec's own
    rule (:func:`specc.urls.check_url`, SPC401: a user name beside a ``${NAME}`` password is
    not a credential) or a token of a known shape anywhere in it."""
    from specc.diagnostics import has_token_shape
    from specc.urls import check_url

    if has_token_shape(url):
        return True
    return any(p.code == "SPC401" for p in check_url(url, what="URL", secret_names=()))


def _safe(text: str) -> str:
    """For messages: credentials masked, one line, at most 100 characters."""
    from specc.diagnostics import redact

    one = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", "?", redact(text))
    return one if len(one) <= 100 else one[:97] + "..."


class _Importer:
    kind = "requirements"
    summary = "a pip requirements file (requirements.txt, with -r/-c, index URLs, credentials)"

    def detect(self, path: Path) -> bool:
        name = path.name.lower()
        return path.is_file() and (
            name.endswith((".txt", ".in")) and ("requirement" in name or "constraint" in name or name == "reqs.txt")
        )

    def read(self, path: Path, draft: Draft) -> None:
        if path.is_dir():  # --from requirements on a folder: requirements.txt, else another requirements file
            files = [path / "requirements.txt", *sorted(path.iterdir())]
            path = next((f for f in files if self.detect(f)), path / "requirements.txt")
        read_requirements_file(path, draft, root=draft.root)


IMPORTER = _Importer()
