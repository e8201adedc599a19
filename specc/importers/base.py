"""The importer framework: a :class:`Draft` spec built from another format, and the
:class:`Importer` protocol every kind implements.

An importer reads a peer's file (requirements.txt, environment.yml, a repo2docker folder, an
MLflow model, cog.yaml...) and fills a :class:`Draft`: values at spec paths (the TOML keys of
``model-env.toml``, kebab-case: ``("python", "requirements")``), each with the place it came
from (a :data:`Source`, shown as a ``# from <source>`` comment by :mod:`specc.importers.writer`),
and a note for everything it cannot carry over (never dropped silently).  The command
(:mod:`specc.commands.import_`) then writes, validates and reports.

Shapes::

    draft = Draft("requirements", root=Path("proj"))
    draft.set(("runtime", "python"), "3.11", source="runtime.txt:1")
    draft.add(("python", "requirements"), "numpy==2.1.3", source="requirements.txt:4")
    url = f"https://{draft.secret('PKGS_EXAMPLE_COM_TOKEN', source='requirements.txt:1')}@pkgs.example.com/simple"
    draft.report("SPC710", "--find-links is not carried over", source="requirements.txt:2", hint="...")

Errors: nothing here raises for bad input; importers report.  ``set``/``add`` raise
``ValueError`` only for a programming error (an empty path, a path used both as a table and
as a value).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, Union

#: where a value came from, for the ``# from`` comment and for diagnostics: ``"cog.yaml:12"``
#: or ``"environment.yml: dependencies[3]"`` (a file relative to the imported folder, and a
#: 1-based line when known)
Source = str
TomlValue = Union[str, int, bool, float, list["TomlValue"], dict[str, "TomlValue"]]  # noqa: UP007 (recursive)
SpecPath = tuple[str, ...]
Severity = Literal["error", "warning"]

# the conflict code: a value set twice with different values (the first is kept)
CONFLICT = "SPC703"
# a credential turned into a declared secret with a conventional Databricks mapping
SECRET_MAPPED = "SPC704"

_SECRET_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Note:
    """Something not carried over, or converted with a loss: one diagnostic of the import."""

    code: str
    severity: Severity
    message: str
    source: Source | None = None
    hint: str | None = None


@dataclass
class Entry:
    """One value of the draft, with its source(s).  ``items`` is set for arrays (``add``)."""

    value: TomlValue | None = None
    source: Source = ""
    items: list[tuple[TomlValue, Source]] | None = None
    #: the items already added (as :func:`_key`), so a 100,000-line file is deduplicated in linear time
    seen: set[str] = field(default_factory=set)


@dataclass
class Draft:
    """A ``model-env.toml`` being built from another format.

    ``kind``: the importer's kind name (``"cog"``); ``root``: the imported folder (sources are
    relative to it).  Paths use the spec's TOML keys (kebab-case), e.g. ``("runtime",
    "python")``, ``("python", "requirements")``, ``("apt", "packages")``,
    ``("secrets", "PYPI_TOKEN", "databricks")``.  Entries keep insertion order per path; the
    writer puts sections and keys in the spec's canonical order.
    """

    kind: str
    root: Path = field(default_factory=lambda: Path("."))
    entries: dict[SpecPath, Entry] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    #: secret name → the source of the credential it replaces (first one), in declaration order
    secrets: dict[str, Source] = field(default_factory=dict)
    #: the secrets the source already referenced as ``${NAME}`` (no literal credential was found)
    referenced: set[str] = field(default_factory=set)
    #: the URI the source was downloaded from (``models:/churn/3``), None for a local path
    origin: str | None = None
    #: the folder the spec will be written to (paths in the spec are relative to it); None: ``root``
    out_dir: Path | None = None
    #: the file the user named (``specc import FILE``): read wherever a link leads; None for a folder
    named: Path | None = None
    #: the notes already reported (``report`` adds each once)
    _noted: set[Note] = field(default_factory=set, repr=False)

    def escapes(self, path: Path, shown: str, *, severity: Severity = "error") -> bool:
        """Whether ``path``'s real path (symlinks resolved) lies outside :attr:`root`; then
        reported (SPC700 error; an include passes ``"warning"`` and is reported SPC712), so an
        import never reads ``/etc/passwd`` or ``../..`` because a file or link in the folder says
        so.  The file the user named (:attr:`named`) never escapes."""
        if self.named is not None and path == self.named:
            return False
        try:
            path.resolve().relative_to(self.root.resolve())
        except ValueError:
            self.report(
                "SPC700" if severity == "error" else "SPC712",
                f"{shown} is outside the imported folder; not read",
                source=shown,
                severity=severity,
                hint="keep the file inside the project, or import from the folder that holds it",
            )
            return True
        return False

    def spec_path(self, path: Path) -> str:
        """``path`` as the written spec names it: relative to :attr:`out_dir` (POSIX), as the
        spec's loader resolves it; an absolute path when there is no relative one."""
        import os

        base = self.out_dir if self.out_dir is not None else self.root
        try:
            return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
        except ValueError:
            return path.resolve().as_posix()

    # --- values ---------------------------------------------------------------------------

    def _check(self, path: SpecPath) -> None:
        if not path or not all(isinstance(p, str) and p for p in path):
            raise ValueError(f"bad spec path {path!r}")
        for other in self.entries:
            n = min(len(other), len(path))
            if other[:n] == path[:n] and len(other) != len(path):
                raise ValueError(f"spec path {path!r} clashes with {other!r} (a table and a value)")

    def set(self, path: SpecPath, value: TomlValue, *, source: Source) -> None:
        """Set a scalar or table value.  Setting a path twice with a different value keeps the
        first and reports a conflict (SPC703) naming both sources; the same value is a no-op."""
        path = tuple(path)
        old = self.entries.get(path)
        if old is None:
            self._check(path)
            self.entries[path] = Entry(value=value, source=source)
            return
        if old.items is not None or old.value != value:
            shown = ".".join(path)
            kept = old.value if old.items is None else "an array"
            self.report(
                CONFLICT,
                f"{shown} is {_show(value)} here but {_show(kept)} at {old.source or 'an earlier entry'}; "
                "the first is kept",
                source=source,
                hint=f"edit {shown} in the written spec if the other value is the right one",
            )

    def add(self, path: SpecPath, item: TomlValue, *, source: Source) -> None:
        """Append ``item`` to the array at ``path``; an equal item already there is not added twice."""
        path = tuple(path)
        old = self.entries.get(path)
        if old is None:
            self._check(path)
            old = self.entries[path] = Entry(items=[], source=source)
        if old.items is None:
            self.report(
                CONFLICT,
                f"{'.'.join(path)} is a single value ({_show(old.value)} from {old.source}); "
                f"{_show(item)} is not added",
                source=source,
            )
            return
        key = _key(item)
        if key in old.seen:
            return
        old.seen.add(key)
        old.items.append((item, source))

    def get(self, path: SpecPath) -> TomlValue | None:
        """The value at ``path`` (a list for an array), or None."""
        entry = self.entries.get(tuple(path))
        if entry is None:
            return None
        return [v for v, _ in entry.items] if entry.items is not None else entry.value

    def remove(self, path: SpecPath, index: int | None = None) -> tuple[TomlValue, Source] | None:
        """Take a value (or one array item) out again; returns it with its source, or None."""
        path = tuple(path)
        entry = self.entries.get(path)
        if entry is None:
            return None
        if entry.items is not None and index is not None:
            if not 0 <= index < len(entry.items):
                return None
            item = entry.items.pop(index)
            entry.seen.discard(_key(item[0]))
            if not entry.items:
                del self.entries[path]
            return item
        del self.entries[path]
        if entry.items is not None:
            return ([v for v, _ in entry.items], entry.source)
        assert entry.value is not None
        return (entry.value, entry.source)

    # --- notes and secrets -----------------------------------------------------------------

    def report(
        self,
        code: str,
        message: str,
        *,
        source: Source | None = None,
        hint: str | None = None,
        severity: Severity = "warning",
    ) -> None:
        """Record something not carried over (never dropped silently) or a lossy conversion."""
        note = Note(code, severity, message, source, hint)
        if note not in self._noted:  # a set: a 10,000-line environment reports in linear time
            self._noted.add(note)
            self.notes.append(note)

    def secret(self, name: str, *, source: Source, referenced: bool = False) -> str:
        """Declare a secret for a credential found in the input; returns its ``${NAME}`` placeholder.

        ``name`` is made a valid secret name (``[A-Z_][A-Z0-9_]*``: upper-cased, other characters
        become ``_``).  The writer declares it under ``[secrets]`` with a conventional Databricks
        mapping, and the command says so in a warning (SPC704).  ``referenced``: the source
        already wrote ``${name}`` (a reference declared as is, not a credential converted).
        """
        clean = secret_name(name)
        self.secrets.setdefault(clean, source)
        if referenced and clean == name:
            self.referenced.add(clean)
        return "${" + clean + "}"

    def forget_secrets(self, value: TomlValue) -> None:
        """Undeclare the secrets whose ``${NAME}`` placeholders ``value`` (an entry taken out
        again) holds, unless another entry still uses them: a credential that is not carried
        needs no secret (nor a Databricks secret to create, nor a ``--secret`` for Docker)."""
        names = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", _key(value)))
        if not names:
            return
        values: list[TomlValue] = [v for p in self.entries if (v := self.get(p)) is not None]
        used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", _key(values)))
        for name in names - used:
            self.secrets.pop(name, None)


def secret_name(name: str) -> str:
    """``"pkgs.example.com token"`` → ``"PKGS_EXAMPLE_COM_TOKEN"`` (a valid ``[secrets]`` name)."""
    clean = re.sub(r"[^A-Z0-9_]+", "_", name.upper()).strip("_") or "SECRET"
    clean = re.sub(r"_+", "_", clean)
    return clean if _SECRET_NAME.match(clean) else "_" + clean


def _key(item: TomlValue) -> str:
    import json

    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def _show(value: object) -> str:
    if isinstance(value, str):
        return '"' + value[:80] + ('..."' if len(value) > 80 else '"')
    return str(value)[:80]


class Importer(Protocol):
    """One kind of input.  ``detect`` is cheap (names and a few bytes); ``read`` fills the draft.

    ``path`` is a file or a folder (or, for the ``mlflow`` kind, a ``models:/``/``runs:/`` URI
    given as a string path); ``read`` never raises for bad input: it reports on the draft.
    """

    kind: str
    #: one line for ``specc import --help``
    summary: str

    def detect(self, path: Path) -> bool: ...

    def read(self, path: Path, draft: Draft) -> None: ...


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before utf-16-le, whose BOM it starts with
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CODING = re.compile(rb"coding[:=]\s*([-\w.]+)")


def decode_text(data: bytes) -> str:
    """Text files as pip reads requirements files (pip's ``auto_decode``,
    pip/_internal/utils/encoding.py): a UTF-8/16/32 byte-order mark says the encoding (Windows
    PowerShell's ``pip freeze > requirements.txt`` writes UTF-16 with one), else a
    ``# -*- coding: ... -*-`` comment in the first two lines, else UTF-8 (pip then falls back to
    the locale's encoding; specc does not, so the result does not depend on the machine).
    Raises ``UnicodeDecodeError``, or ``LookupError`` for an unknown declared encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding)
    for line in data.split(b"\n", 2)[:2]:
        if line.lstrip().startswith(b"#") and (m := _CODING.search(line)):
            return data.decode(m.group(1).decode("ascii"))
    return data.decode("utf-8")


#: what an import says to do about a file it cannot decode
DECODE_HINT = "re-save it as UTF-8 (a byte-order mark or a `# -*- coding: NAME -*-` first line names another encoding)"


def read_problem(data: bytes | None, exc: BaseException, shown: str) -> tuple[str, str]:
    """``(message, source)`` for a file ``specc import`` cannot read: the OS's reason, or where
    decoding failed (``shown:LINE``, the byte and its column) instead of Python's codec text;
    ``data``: the bytes read (None when reading failed)."""
    if isinstance(exc, OSError):
        return f"cannot read {shown}: {exc.strerror or exc}", shown
    if isinstance(exc, UnicodeDecodeError) and data is not None:
        encoding = exc.encoding.upper().replace("_", "-")
        if encoding.startswith(("UTF-16", "UTF-32")):  # lines of bytes mean nothing there
            return f"{shown} is not {encoding} text (byte {exc.start} after its byte-order mark)", shown
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        column = start - (data.rfind(b"\n", 0, start) + 1) + 1
        byte = data[start] if start < len(data) else 0
        return (
            f"{shown} is not {encoding} text: byte 0x{byte:02x} at line {line}, column {column}",
            f"{shown}:{line}",
        )
    return f"cannot read {shown}: {exc}", shown  # LookupError: an unknown declared encoding


def lines_of(text: str) -> Iterable[tuple[int, str]]:
    """(1-based line number, line) of ``text``, a BOM dropped."""
    return enumerate(text.removeprefix("\ufeff").splitlines(), start=1)


YamlPath = tuple[str | int, ...]

#: the most nodes a YAML document may stand for once its aliases are expanded: a "billion laughs"
#: document is a few lines that expand to billions, and every walk over the data (the line
#: walkers, the importers, ``repr``, ``json.dumps``) would expand it
YAML_MAX_NODES = 100_000


def yaml_alias_problem(root: object) -> tuple[str, int] | None:
    """Why a composed YAML document (PyYAML nodes) cannot be walked safely, with the 1-based
    line: a recursive alias (``&a [*a]``, a cycle in the node graph) or aliases expanding past
    :data:`YAML_MAX_NODES` nodes; None when it is a tree or a small DAG.  The one guard of every
    YAML reader of ``specc import`` (:func:`read_yaml` and :func:`specc.importers._peers.load_yaml`),
    run before the document is constructed or walked.  Iterative, linear in the nodes written."""
    import yaml

    def children(n: object) -> list[object]:
        if isinstance(n, yaml.MappingNode):
            return [x for pair in n.value for x in pair]
        if isinstance(n, yaml.SequenceNode):
            return list(n.value)
        return []

    def line(n: object) -> int:
        mark = getattr(n, "start_mark", None)
        return mark.line + 1 if mark is not None else 1

    sizes: dict[int, int] = {}  # node → the nodes it expands to
    open_nodes: set[int] = set()  # the nodes whose subtree is being walked (the current path)
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_nodes.discard(key)
            total = 1 + sum(sizes[id(c)] for c in children(node))
            if total > YAML_MAX_NODES:
                return (f"its aliases expand to more than {YAML_MAX_NODES:,} entries", line(node))
            sizes[key] = total
            continue
        if key in sizes:
            continue
        open_nodes.add(key)
        stack.append((node, True))
        for child in children(node):
            if id(child) in open_nodes:
                return ("an alias refers to a node that contains it (a recursive alias)", line(child))
            if id(child) not in sizes:
                stack.append((child, False))
    return None


def read_yaml(
    path: Path, draft: Draft, *, shown: str, texts: dict[YamlPath, str] | None = None
) -> tuple[object, dict[YamlPath, int]] | None:
    """Parse a YAML file safely (PyYAML's SafeLoader): (data, the 1-based line of every mapping
    key's value and sequence item by path, ``("dependencies", 3)`` → 12).  ``texts``, when given,
    is filled with every plain scalar as written, by path: YAML reads ``python: 3.10`` as the
    float 3.1, and a version must be read from its text.  None when the file
    cannot be read or parsed, or holds a recursive alias or an alias bomb
    (:func:`yaml_alias_problem`); then an SPC700 error naming the file (and the line) is reported.
    """
    import yaml

    if draft.escapes(path, shown):
        return None
    data = None
    try:
        data = path.read_bytes()
        text = decode_text(data)
    except (OSError, UnicodeDecodeError, LookupError) as exc:
        message, where = read_problem(data, exc, shown)
        hint = DECODE_HINT if isinstance(exc, (UnicodeDecodeError, LookupError)) else None
        draft.report("SPC700", message, source=where, severity="error", hint=hint)
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
        problem = yaml_alias_problem(node) if node is not None else None
        if problem is not None:
            draft.report(
                "SPC700",
                f"{shown} cannot be read: {problem[0]}",
                source=f"{shown}:{problem[1]}",
                severity="error",
                hint="write the entries out instead of through YAML aliases",
            )
            return None
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        problem_text = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        draft.report("SPC700", f"{shown} is not valid YAML: {problem_text}", source=where, severity="error")
        return None
    except RecursionError:
        draft.report("SPC700", f"{shown} is nested too deeply to read", source=shown, severity="error")
        return None
    lines: dict[YamlPath, int] = {}

    def walk(n: object, at: YamlPath) -> None:
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark.line)
                sub: YamlPath = (*at, key)
                lines[sub] = k.start_mark.line + 1
                walk(v, sub)
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                item: YamlPath = (*at, i)
                lines[item] = v.start_mark.line + 1
                walk(v, item)
        elif texts is not None and isinstance(n, yaml.ScalarNode) and not n.style:  # plain: None, or "" (libyaml)
            texts[at] = n.value

    walk(node, ())
    return data, lines
