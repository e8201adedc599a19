"""What the importers of peers' build files share: cog.yaml, bentofile.yaml, Truss's
config.yaml (YAML) and pixi.toml, pylock.toml (TOML).

* :func:`load_yaml` / :func:`load_toml` read a file into a :class:`Doc`: the data, and for each
  key path the 1-based line it stands on, so every value the importer carries over or reports
  has a ``file:line`` source.  YAML keeps each scalar's text as written (``python_version:
  3.10`` is ``"3.10"``, not the float 3.1).  A file that cannot be read or parsed is an error
  (SPC730) and ``None`` is returned.
* :func:`index_url` turns an index URL with credentials into one with ``${NAME}``
  placeholders, declaring the secrets on the draft (the credential never reaches the spec).
* :func:`conda_dependency` carries a conda match spec as its PyPI equivalent (SPC735).
* :func:`env_var` carries one environment variable: a plain value into ``[env]``, a
  credential-looking one (by name, ``*_TOKEN``/``*PASSWORD*``..., or by value shape) into a
  declared secret, its value dropped (SPC737).
* :func:`apt_packages` carries system packages (Debian/Ubuntu names; invalid ones SPC736).

Only the standard library at module level: PyYAML and the TOML readers load inside the functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from specc.importers.base import Draft, Source

Key = tuple[str | int, ...]

# the codes of this family (SPC730-749, registered in specc/codes.py, documented in docs/import.md)
INVALID = "SPC730"  # the peer's file cannot be read or parsed, or has the wrong shape
BUILD_STEP = "SPC731"  # a build command or script not carried over
CARRIED = "SPC791"  # carried over, in another form or with a caveat (not counted as left out)
SETTING = "SPC732"  # a serving / platform / metadata setting with no spec counterpart
PIP_OPTION = "SPC733"  # an installer option the spec has no field for
PYTHON_ASSUMED = "SPC734"  # the Python version is the peer's default or deduced
CONDA = "SPC735"  # a conda package converted to its PyPI name
CONDA_NOT_CARRIED = "SPC744"  # a conda package, channel, build string or constraint left out
SYSTEM_PACKAGE = "SPC736"  # a system package that is not an apt package name
SECRET_VALUE = "SPC737"  # a credential value in the peer's file: a declared secret now
SOURCE = "SPC738"  # a git / local-path / editable dependency
VARIANT = "SPC739"  # features, environments, per-platform tables, lock environments
LOCK_DETAIL = "SPC740"  # hashes and file URLs of a lock not carried (specc lock records them)
CUDA = "SPC741"  # a GPU asked for without a CUDA version
CODE = "SPC742"  # file selection (include/exclude, package dirs, weights) not carried
ENV = "SPC743"  # an environment variable that cannot be carried

_MAX_BYTES = 4 * 1024 * 1024
_APT_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
_APT_VERSION = re.compile(r"^([0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$")
_PYTHON = re.compile(r"^3\.[0-9]{1,2}(\.[0-9]{1,3})?$")


@dataclass
class Doc:
    """A parsed peer file: ``data`` (plain dicts, lists, strings...), ``name`` (the file as
    sources show it, relative to the imported folder), ``lines`` (key path → 1-based line and
    column) and,
    for YAML, ``text`` (key path → the scalar exactly as written)."""

    data: Any
    name: str
    lines: dict[Key, tuple[int, int]] = field(default_factory=dict)
    text: dict[Key, str] = field(default_factory=dict)

    def src(self, *key: str | int) -> Source:
        """``"cog.yaml:12:3"``: where ``key`` is written; for a table with no line of its own
        (``[feature.gpu.dependencies]`` makes ``feature.gpu`` a table without a header), its first
        written entry; else its nearest parent that has a place."""
        path: Key = tuple(key)
        if path and path not in self.lines:
            n = len(path)
            below = [at for k, at in self.lines.items() if len(k) > n and k[:n] == path]
            if below:
                first = min(below)
                return f"{self.name}:{first[0]}:{first[1]}"
        while path:
            at = self.lines.get(path)
            if at is not None:
                return f"{self.name}:{at[0]}:{at[1]}"
            path = path[:-1]
        return self.name

    def raw(self, *key: str | int) -> str | None:
        """The scalar at ``key`` as written in the file (YAML), else its ``str``."""
        written = self.text.get(tuple(key))
        if written is not None:
            return written
        value = self.get(*key)
        return None if value is None or isinstance(value, (dict, list)) else str(value)

    def sub(self, *prefix: str) -> Doc:
        """The document under ``prefix`` (``tool.bentoml.build`` of a pyproject.toml), keeping
        the places: ``sub("tool", "bentoml", "build").src("python")`` is that table's line."""
        n = len(prefix)
        data = self.get(*prefix)
        return Doc(
            data if isinstance(data, dict) else {},
            self.name,
            {k[n:]: v for k, v in self.lines.items() if k[:n] == prefix and len(k) > n},
            {k[n:]: v for k, v in self.text.items() if k[:n] == prefix and len(k) > n},
        )

    def get(self, *key: str | int) -> Any:
        node = self.data
        for part in key:
            if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):  # noqa: SIM114
                node = node[part]
            elif isinstance(part, str) and isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return None
        return node


def display_name(path: Path, root: Path) -> str:
    """``path`` relative to the imported folder, ``/``-separated (``../x`` when outside it: the
    spec's loader then reports the escape)."""
    from specc.importers.requirements import display

    return display(path, root)


def within(draft: Draft, folder: Path, name: str, *, source: Source, what: str, needed: bool = True) -> Path | None:
    """``folder/name`` when it stays inside the imported folder (the peers resolve their paths
    against the project and keep them there, as specc's spec does); else None, reported, so an
    import never reads a file outside the folder it was given (``/etc/passwd``, ``../..``): an
    error (SPC730) for a file the environment needs read (``needed``), else SPC738, not carried."""
    target = (folder / name).resolve()
    try:
        target.relative_to(draft.root.resolve())
    except ValueError:
        draft.report(
            INVALID if needed else SOURCE,
            f"{what} {name!r} is outside the imported folder; not read",
            source=source,
            severity="error" if needed else "warning",
            hint="keep the file inside the project, or import from the folder that holds it",
        )
        return None
    return target


def _read_text(path: Path, draft: Draft, name: str, *, utf8_only: bool = False) -> str | None:
    """The file's text: UTF-8 for TOML (which must be UTF-8), else as
    :func:`specc.importers.base.decode_text` reads it (a UTF-16 YAML file with its BOM)."""
    from specc.importers.base import decode_text

    if draft.escapes(path, name):
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        draft.report(INVALID, f"cannot read {name}: {exc.strerror or exc}", source=name, severity="error")
        return None
    if len(data) > _MAX_BYTES:
        draft.report(INVALID, f"{name} is larger than 4 MiB", source=name, severity="error")
        return None
    try:
        return data.decode("utf-8").removeprefix("\ufeff") if utf8_only else decode_text(data)
    except UnicodeDecodeError as exc:
        from specc.importers.base import DECODE_HINT, read_problem

        message, where = read_problem(data, exc, name)
        draft.report(INVALID, message, source=where, severity="error", hint=DECODE_HINT)
        return None
    except LookupError as exc:
        draft.report(INVALID, f"{name} declares an unknown encoding ({exc})", source=name, severity="error")
        return None


def load_yaml(path: Path, draft: Draft, *, expect: str = "a mapping") -> Doc | None:
    """Read a YAML file with PyYAML's safe loader; ``None`` (after an SPC730 error) when it
    cannot be read, is not YAML, or its top level is not a mapping.  A key written twice is
    an error too: YAML loaders disagree on which one wins."""
    import yaml

    name = display_name(path, draft.root)
    text = _read_text(path, draft, name)
    if text is None:
        return None
    from specc.importers.base import yaml_alias_problem

    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            problem = yaml_alias_problem(node) if node is not None else None
            if problem is not None:
                draft.report(
                    INVALID,
                    f"{name} cannot be read: {problem[0]}",
                    source=f"{name}:{problem[1]}",
                    severity="error",
                    hint="write the entries out instead of through YAML aliases",
                )
                return None
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        draft.report(INVALID, f"{name} is nested too deeply to read", source=name, severity="error")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        draft.report(INVALID, f"{name} is not valid YAML: {reason}", source=where, severity="error")
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        draft.report(INVALID, f"{name} must hold {expect} at its top level", source=f"{name}:1", severity="error")
        return None
    doc = Doc(data, name)
    if node is not None:
        _walk_yaml(node, (), doc, draft, set())
    return doc


def _walk_yaml(node: Any, key: Key, doc: Doc, draft: Draft, seen: set[int]) -> None:
    """Record where each key and item stands.  :func:`load_yaml` has already refused a recursive
    alias or an alias bomb (:func:`specc.importers.base.yaml_alias_problem`, the one guard of the
    YAML readers); a node reached again through an alias is still walked once (its first path
    has the place)."""
    import yaml

    if id(node) in seen:
        return
    seen.add(id(node))
    doc.lines.setdefault(key, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                continue
            part = k.value
            if part in keys:
                draft.report(
                    INVALID,
                    f"key {part!r} is written twice in {doc.name}; the last one is read",
                    source=f"{doc.name}:{k.start_mark.line + 1}",
                    hint="remove one of them",
                )
            keys.add(part)
            child: Key = (*key, part)
            doc.lines[child] = (k.start_mark.line + 1, k.start_mark.column + 1)
            _walk_yaml(v, child, doc, draft, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk_yaml(item, (*key, i), doc, draft, seen)
    elif isinstance(node, yaml.ScalarNode) and node.style is None:
        doc.text[key] = node.value


def load_toml(path: Path, draft: Draft) -> Doc | None:
    """Read a TOML file (TOML 1.1 through ``tomli`` when installed, else ``tomllib``'s 1.0);
    ``None`` after an SPC730 error.  Lines are those of tables and keys found by a light scan
    (``[table]`` headers and ``key =`` lines), enough to point at an entry."""
    name = display_name(path, draft.root)
    text = _read_text(path, draft, name, utf8_only=True)
    if text is None:
        return None
    toml_reader = _toml_reader()
    try:
        data = toml_reader.loads(text)
    except toml_reader.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "msg", None) or str(exc)
        draft.report(
            INVALID,
            f"{name} is not valid TOML: {message}",
            source=f"{name}:{line}" if line else name,
            severity="error",
        )
        return None
    doc = Doc(data, name)
    _scan_toml_lines(text, doc)
    return doc


def _toml_reader() -> Any:
    """``tomli`` when installed (TOML 1.1 since tomli 2.3: pixi manifests may use multi-line
    inline tables), else the standard library's ``tomllib`` (TOML 1.0).

    ``import conda_lock`` puts its vendored Poetry's ``_vendor`` folder (with an old, TOML 1.0
    tomli) first on ``sys.path`` for the rest of the process.  specc itself never imports it (conda
    match specs go through py-rattler; ``specc lock --conda`` runs conda-lock in its own process),
    but a program using specc's API may have (the test suite does, to read conda-lock's files):
    the installed tomli is imported past that folder, and whatever the vendored copy left in
    ``sys.modules`` is put back for Poetry."""
    import importlib
    import sys

    loaded = sys.modules.get("tomli")
    if loaded is not None and "_vendor" not in str(getattr(loaded, "__file__", "")):
        return loaded
    saved = {k: v for k, v in sys.modules.items() if k == "tomli" or k.startswith("tomli.")}
    path = list(sys.path)
    try:
        for key in saved:
            del sys.modules[key]
        sys.path[:] = [entry for entry in path if "_vendor" not in entry]
        try:
            return importlib.import_module("tomli")
        except ImportError:  # pragma: no cover - tomli comes with specc on 3.10 and with its dev extra
            return importlib.import_module("tomllib")
    finally:
        sys.path[:] = path
        if saved:
            for key in [k for k in sys.modules if k == "tomli" or k.startswith("tomli.")]:
                del sys.modules[key]
            sys.modules.update(saved)


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEYLINE = re.compile(
    r"^\s*((?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_.-]+))*)\s*="
)


def _toml_key_parts(text: str) -> tuple[str, ...]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", text)
    return tuple(a or b or c for a, b, c in parts)


_STRINGS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


def _balance(line: str) -> int:
    """Open minus closed brackets of one line, strings and comments left out."""
    code = _STRINGS.sub('""', line).split("#", 1)[0]
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def _scan_toml_lines(text: str, doc: Doc) -> None:
    """Places of ``[table]`` headers, ``key =`` lines and the items of multi-line arrays
    (``dependencies = [`` then one item per line), enough to point at an entry."""
    table: tuple[str, ...] = ()
    arrays: dict[tuple[str, ...], int] = {}
    prefix: Key = ()
    open_array: Key | None = None  # the key of a multi-line array being read
    depth, item = 0, -1
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip()) + 1
        if open_array is not None:
            stripped = line.strip()
            if depth == 1 and (stripped[:1] in ('"', "'", "{", "[") or stripped[:1].isalnum()):
                item += 1
                doc.lines.setdefault((*open_array, item), (number, indent))
            depth += _balance(line)
            if depth <= 0:
                open_array = None
            continue
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("#"):
            table = _toml_key_parts(header.group(1))
            if line.lstrip().startswith("[["):
                index = arrays.get(table, -1) + 1
                arrays[table] = index
                prefix = (*table, index)
                doc.lines.setdefault(table, (number, indent))
            else:
                prefix = table
            doc.lines.setdefault(prefix, (number, indent))
            continue
        keyline = _KEYLINE.match(line)
        if keyline:
            key: Key = (*prefix, *_toml_key_parts(keyline.group(1)))
            doc.lines.setdefault(key, (number, keyline.start(1) + 1))
            rest = line[keyline.end() :].strip()
            if rest.startswith("[") and _balance(rest) > 0:
                open_array, depth, item = key, _balance(rest), -1
                after = rest[1:].strip()
                if after and not after.startswith("#"):  # an item on the opening line
                    item = 0
                    doc.lines.setdefault((*key, 0), (number, line.index(after) + 1))


# --- values ------------------------------------------------------------------------------


def python_version(value: str) -> str | None:
    """``"3.11"``, ``"3.11.9"`` as the spec takes them; ``None`` for anything else."""
    value = value.strip()
    return value if _PYTHON.match(value) else None


def index_url(url: str, draft: Draft, *, source: Source) -> str | None:
    """``url`` with every literal credential replaced by a ``${NAME}`` placeholder of a secret
    declared on ``draft`` (the requirements converter's rule, so every kind names secrets alike:
    ``https://user:tok@pkgs.example.com/simple`` → ``https://${PKGS_EXAMPLE_COM_USER}:
    ${PKGS_EXAMPLE_COM_PASSWORD}@pkgs.example.com/simple``); None (reported) when it cannot be
    carried."""
    from specc.importers.requirements import url_with_secrets

    return url_with_secrets(url.strip(), draft, source)


def requirement_strings(doc: Doc, key: Key, draft: Draft, what: str) -> list[tuple[str, Source]]:
    """The strings of the list at ``key`` with their sources; a non-list or non-string item is
    reported (SPC730) and skipped."""
    value = doc.get(*key)
    if value is None:
        return []
    shown = ".".join(str(k) for k in key)
    if not isinstance(value, list):
        draft.report(INVALID, f"{shown} must be a list of {what}", source=doc.src(*key), severity="error")
        return []
    out: list[tuple[str, Source]] = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append((item.strip(), doc.src(*key, i)))
        elif item is not None:
            draft.report(INVALID, f"{shown}[{i}] must be a string ({what})", source=doc.src(*key, i), severity="error")
    return out


def apt_packages(items: Iterable[tuple[str, Source]], draft: Draft, *, distro: str = "Debian/Ubuntu") -> None:
    """``apt.packages`` from system package names (``name`` or ``name=version``); anything else
    (an apt option, a name with a wildcard, a list in one string) is SPC736."""
    for text, source in items:
        for word in text.split():
            name, eq, version = word.partition("=")
            if _APT_NAME.match(name) and (not eq or _APT_VERSION.match(version)):
                draft.add(("apt", "packages"), word, source=source)
            else:
                draft.report(
                    SYSTEM_PACKAGE,
                    f"system package {word!r} is not an apt package name (name or name=version, {distro}); "
                    "not carried over",
                    source=source,
                    hint="add the package to apt.packages by hand if it is one",
                )


def env_var(name: str, value: object, draft: Draft, *, source: Source, what: str = "environment variable") -> None:
    """Carry one environment variable (see the module docstring)."""
    from specc.diagnostics import looks_like_credential

    text = "" if value is None else (str(value).lower() if isinstance(value, bool) else str(value))
    clean = name.strip()
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", clean):
        draft.report(ENV, f"{what} {clean!r} is not a valid variable name; not carried over", source=source)
        return
    upper = clean.upper()
    if credential_name(upper) or looks_like_credential(text):
        # a source without a line: no excerpt of the file (which holds the value) is ever shown
        safe = line_free(source, f"{what} {clean}") if text else source
        secret = draft.secret(upper, source=safe)[2:-1]
        if text:
            draft.report(
                SECRET_VALUE,
                f"{what} {clean} holds a credential; it is declared as secret {secret} and its value is not written",
                source=safe,
                hint="store the value in each target's secret store (Databricks secret, docker build --secret)",
            )
        return
    if upper != clean:
        draft.report(
            ENV,
            f"{what} {clean} is written as {upper} (spec variable names are upper case)",
            source=source,
        )
    draft.set(("env", upper), text, source=source)


_CREDENTIAL_WORDS = frozenset(
    {"TOKEN", "PASSWORD", "PASSWD", "PWD", "SECRET", "CREDENTIAL", "CREDENTIALS", "PAT", "APIKEY"}
)
_CREDENTIAL_PAIRS = ("API_KEY", "ACCESS_KEY", "PRIVATE_KEY", "SECRET_KEY", "AUTH_KEY")


def credential_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a credential, by its ``_``-separated
    words (``HF_TOKEN``, ``DB_PASSWORD``, ``WANDB_API_KEY``, ``AWS_SECRET_ACCESS_KEY``,
    ``GITHUB_PAT``) or its ending (``PGPASSWORD``), so that ``TOKENIZERS_PARALLELISM`` or
    ``MAX_TOKENS`` are not (specc.diagnostics.SECRETISH_NAME, the SPC404 warning's rule, agrees on
    these; it is not the rule that turns a setting into a secret)."""
    upper = name.upper()
    return (
        bool(_CREDENTIAL_WORDS.intersection(upper.split("_")))
        or any(p in upper for p in _CREDENTIAL_PAIRS)
        or upper.endswith(("TOKEN", "PASSWORD", "PASSWD", "SECRET"))  # PGPASSWORD, GHTOKEN
    )


def line_free(source: Source, what: str) -> Source:
    """``"cog.yaml:21:5"`` → ``"cog.yaml: environment variable HF_TOKEN"``: a source that names
    the entry but no line, for entries holding a credential (diagnostics then show no excerpt)."""
    return f"{re.sub(r'(:[0-9]+)+$', '', source)}: {what}"


def cuda_version(value: str) -> str | None:
    """``"12.4"``, ``"12.4.1"``, ``"11"`` → the spec's ``major.minor`` form, else None."""
    m = re.fullmatch(r"\s*([0-9]{1,2})(?:\.([0-9]{1,2}))?(?:\.[0-9]{1,3})?\s*", value)
    if not m:
        return None
    return f"{m.group(1)}.{m.group(2) or '0'}"


def model_name(value: str) -> str | None:
    """A spec ``model.name`` from a peer's model/image name (its last path part, tag dropped)."""
    from specc.spec import slug

    last = value.strip().rstrip("/").rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return slug(last) or None


def conda_dependency(spec: str, draft: Draft, *, source: Source) -> None:
    """One conda match spec (``"numpy>=1.24,<2"``, ``"pytorch 2.3.*"``): its PyPI equivalent
    as a requirement (SPC735 says so), or SPC744 when it has none.
    ``python`` sets ``runtime.python`` when it names one version."""
    from specc.importers.conda import conda_to_requirement
    from specc.importers.requirements import requirement_lines

    name = re.split(r"[\s=<>!~\[]", spec.strip(), maxsplit=1)[0].split("::")[-1].lower()
    if name == "python":
        written = spec.strip()[len(name) :].strip()
        version = python_from_conda(written)
        if version is not None:
            draft.set(("runtime", "python"), version, source=source)
        elif (highest := highest_minor(written)) is not None:
            draft.set(("runtime", "python"), highest, source=source)
            draft.report(
                PYTHON_ASSUMED,
                f"python {written!r} is a range; {highest}, the highest version it admits, is written",
                source=source,
                hint="set runtime.python to the Python the model was trained with",
            )
        else:
            draft.report(
                PYTHON_ASSUMED,
                f"conda dependency {spec.strip()!r} names no single Python version; not carried over",
                source=source,
                hint="set runtime.python to the Python the model was trained with",
            )
        return
    requirement = conda_to_requirement(spec.strip())
    if requirement is None:
        draft.report(
            CONDA_NOT_CARRIED,
            f"conda package {spec.strip()!r} has no PyPI equivalent; not carried over",
            source=source,
            hint="install it another way (apt.packages, a wheel) if the model needs it",
        )
        return
    requirement_lines([(requirement, source)], draft)
    draft.report(
        CONDA,
        f"conda package {spec.strip()!r} is carried over as the PyPI requirement {requirement!r}",
        source=source,
        hint="check that the PyPI build is the one you need (conda builds may bundle other libraries)",
    )


def python_from_conda(version: str) -> str | None:
    """The one Python ``major.minor[.patch]`` a conda/pixi version spec names: ``"3.11"``,
    ``"3.11.*"``, ``"==3.11.9"``, ``"3.11.9"``, ``"~=3.11.0"``... ; ``None`` for a range."""
    v = version.strip().replace(" ", "")
    m = re.fullmatch(r"(?:==?)?(3\.[0-9]{1,2})(\.[0-9]{1,3})?(?:\.\*|\*)?", v)
    if m:
        return m.group(1) + (m.group(2) or "")
    m = re.fullmatch(r"~=(3\.[0-9]{1,2})\.[0-9]{1,3}", v)
    if m:
        return m.group(1)
    m = re.fullmatch(r">=(3\.[0-9]{1,2})(?:\.[0-9]+)?,<(3\.[0-9]{1,2})(?:\.0)?", v)
    if m:
        low, high = (int(x.split(".")[1]) for x in (m.group(1), m.group(2)))
        if high == low + 1:
            return m.group(1)
    return None


def highest_minor(specifier: str) -> str | None:
    """The highest ``3.X`` (X ≤ 14) whose ``3.X.0`` a PEP 440 specifier admits, when it has an
    upper bound; ``None`` otherwise (an open range says nothing about the version used)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(specifier.replace(" ", ""))
    except InvalidSpecifier:
        return None
    if not any(s.operator in ("<", "<=", "==", "~=", "===") for s in spec):
        return None
    for minor in range(14, 5, -1):
        if spec.contains(f"3.{minor}.0", prereleases=True) or spec.contains(f"3.{minor}.99", prereleases=True):
            return f"3.{minor}"
    return None
