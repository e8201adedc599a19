"""The target contract: options with their CLI flags, capability tables, ``Rendered``, one writer.

A target is one module holding one object that satisfies :class:`Backend`::

    name: str                                   # "docker"
    options_type: type[RenderOptions]           # its options; fields made with flag() are CLI flags
    capabilities: CapabilityTable               # feature -> Supported | Ignored | Unsupported rule(s)
    def facts(spec, options) -> Facts           # what the table's conditions need (runtime...)
    def render(spec, options) -> Rendered       # pure: spec + options in, files + diagnostics out

``specc validate`` runs every implied target's capability table (:func:`check_table`) and
``render`` runs the same table first, so a spec a target would reject never validates.
Diagnostics that depend on render options only (``--model``, ``--locked``, ``--cluster-id``)
stay in ``render``.  This module imports nothing heavy (no jinja2, mlflow or databricks-sdk).
"""

from __future__ import annotations

import bisect
import dataclasses
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, Union

from specc.diagnostics import Diagnostic, Origin, Severity, TomlPath

if TYPE_CHECKING:
    from specc.mlmodel import MLmodel
    from specc.runtimes import RuntimeInfo
    from specc.spec import EnvSpec

# --- options and their flags ---------------------------------------------------------------------

#: How the command turns a flag into an option value: ``text`` is taken as given; ``switch`` is a
#: bool; ``model`` is a logged model folder or URI resolved to a local folder; ``lock`` is a switch
#: that loads the spec's fresh ``model-env.lock`` (``--locked``).
FlagKind = Literal["text", "switch", "model", "lock"]


@dataclass(frozen=True)
class Flag:
    """One command-line flag of a target: ``--cluster-id`` sets the options field it is declared on."""

    option: str  # "--cluster-id"
    help: str
    kind: FlagKind = "text"
    metavar: str | None = None


def flag(option: str, help: str, *, kind: FlagKind = "text", metavar: str | None = None) -> dict[str, Flag]:
    """Field metadata making an options field a CLI flag: ``field(default=None, metadata=flag(...))``."""
    return {"flag": Flag(option, help, kind, metavar)}


@dataclass(frozen=True)
class RenderOptions:
    """What every target may be given besides the spec (none of it is a flag of its own).

    Targets subclass it and add their flags with :func:`flag`.
    """

    strict: bool = False
    # True when the spec itself was rebuilt from a logged model's specc-environment.json
    from_model: bool = False
    # a logged MLflow model folder (--model on docker; --from-model on every target)
    model_dir: Path | None = None
    # the MLmodel's databricks_runtime, when rendering from a model
    model_databricks_runtime: str | None = None
    # what --from-model was given (a models:/<name>/<version> URI names the registered model)
    model_uri: str | None = None
    # the model's MLmodel, read once by the command (specc.mlmodel.read_mlmodel) when a model is
    # given; targets take its facts (mlflow_version, flavors) from here and never read the file
    mlmodel: MLmodel | None = None


def flags_of(options_type: type[RenderOptions]) -> dict[str, Flag]:
    """Options field name → its :class:`Flag`, for the fields declared with :func:`flag`."""
    return {f.name: f.metadata["flag"] for f in dataclasses.fields(options_type) if "flag" in f.metadata}


def narrow(options: RenderOptions | None, options_type: type[RenderOptions]) -> Any:
    """``options`` as an ``options_type``: the common fields kept, the target's own defaulted.

    Lets ``backend.render(spec, RenderOptions())`` keep working for callers that know no target.
    """
    if isinstance(options, options_type):
        return options
    if options is None:
        return options_type()
    own = {f.name for f in dataclasses.fields(options_type)}
    common = {f.name: getattr(options, f.name) for f in dataclasses.fields(options) if f.name in own}
    return options_type(**common)


# --- rendered output and its provenance ----------------------------------------------------------


class Mark(NamedTuple):
    """What one spec entry puts into the outputs.

    ``text`` is found as a whole token in the output lines / JSON strings (or, for a copied
    file, names it by its last path part); ``path`` is the entry's normalized EnvSpec path;
    ``rule`` names the part of the target that put it there, for ``specc explain``
    (``"apt layer"``, ``"pypi library"``); "" when the target does not say.  A plain
    ``(text, path)`` pair is still accepted wherever marks are read.
    """

    text: str
    path: TomlPath
    rule: str = ""


#: A mark as the tracing functions take it: a :class:`Mark` or a plain ``(text, path)`` pair.
MarkLike = Union[Mark, tuple[str, TomlPath]]  # noqa: UP007


@dataclass(frozen=True)
class Produced:
    """One piece of an output file and the spec entries that produced it.

    ``where`` is a 1-based line number (text files) or a JSON pointer (``/libraries/0``, JSON
    files); ``paths`` are normalized EnvSpec paths, which ``spec.origins`` maps to the TOML
    path or the requirements file and line.
    """

    where: int | str
    paths: tuple[TomlPath, ...]
    # the rule of the mark that found each of ``paths`` (parallel to it; "" when the mark names
    # none); not part of equality, so a Produced compares by where and paths as before
    rules: tuple[str, ...] = field(default=(), compare=False)

    def rule_of(self, path: TomlPath) -> str:
        """The rule of the mark that found ``path`` here ("" when none or unknown)."""
        for p, rule in zip(self.paths, self.rules, strict=False):
            if p == path:
                return rule
        return ""


@dataclass
class Rendered:
    """A rendered output folder, not yet written.

    ``files`` maps a relative POSIX path to its bytes, or to a local file or folder to copy
    (wheels, code).  ``modes`` sets permissions (0o755 for scripts).  ``diagnostics`` carries
    what the target could not express.  ``marks`` say what text each spec entry put into the
    outputs; :attr:`provenance` (output file → which entries produced which of its lines or
    JSON fields) is traced from them on first use, so a render that nobody explains pays
    nothing for it.  ``meta`` adds target fields to ``specc-provenance.json``.
    ``spec_documents`` names the JSON files that hold the normalized spec itself (file → the
    rule to name): each of their fields is traced to the normalized path its pointer spells
    (``/python/requirements/0/name`` → ``("python", "requirements", 0, "name")``).
    """

    files: dict[str, bytes | Path] = field(default_factory=dict)
    modes: dict[str, int] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # a few words for the "wrote DIR/ (...)" line, e.g. "exact mode, code layout"
    spec_documents: dict[str, str] = field(default_factory=dict)
    _provenance: dict[str, list[Produced]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def provenance(self) -> dict[str, list[Produced]]:
        """Output file → :class:`Produced` pieces (lines of text files, pointers of JSON files,
        line 1 of a copied file), traced from :attr:`marks` once."""
        if self._provenance is None:
            self._provenance = trace_files(self.files, self.marks, self.spec_documents)
        return self._provenance

    def produced_by(self, file: str, path: TomlPath) -> list[int | str]:
        """The lines / JSON pointers of ``file`` that ``path`` (or an entry below it) produced."""
        n = len(path)
        return [p.where for p in self.provenance.get(file, ()) if any(q[:n] == path for q in p.paths)]

    def origins_of(self, spec: EnvSpec, file: str, where: int | str) -> list[tuple[TomlPath, Origin | None]]:
        """:meth:`sources_of` with where each entry came from (``spec.origins``: the TOML path,
        or a requirements file and span); None for a value the spec did not write (a default)."""
        return [(path, spec.origins.get(path)) for path in self.sources_of(file, where)]

    def sources_of(self, file: str, where: int | str) -> tuple[TomlPath, ...]:
        """The normalized spec paths that produced line / pointer ``where`` of ``file``."""
        out: list[TomlPath] = []
        for p in self.provenance.get(file, ()):
            if p.where == where:
                out += [q for q in p.paths if q not in out]
        return tuple(out)


# A mark matches as a whole token: "r" must not match every line holding the letter r.  A token
# starts after a character that is not [A-Za-z0-9_.-] and ends before one that is not [A-Za-z0-9_-].
# (Marks neither start nor end with whitespace, so neither do the candidate tokens.)
_STARTS = re.compile(r"(?<![A-Za-z0-9_.\-])(?=\S)")
_ENDS = re.compile(r"(?<=\S)(?![A-Za-z0-9_\-])")


class _Matcher:
    """Finds every mark in a string by dict lookups of the string's (start, end) token-boundary
    pairs, so the cost does not grow with the number of marks (a 100,000-requirement spec has
    100,000 of them), only with the tokens of each line."""

    def __init__(self, marks: Iterable[MarkLike]) -> None:
        self.exact: dict[str, list[TomlPath]] = {}
        # (needle, path) -> the mark's rule, for the marks that name one
        self.rules: dict[tuple[str, TomlPath], str] = {}
        for mark in marks:
            needle, path = mark[0].strip(), mark[1]
            if needle:
                self.exact.setdefault(needle, []).append(path)
                if _rule(mark):
                    self.rules.setdefault((needle, path), _rule(mark))
        self.longest = max(map(len, self.exact), default=0)

    def find(self, text: str) -> tuple[TomlPath, ...]:
        return tuple(self.found(text))

    def found(self, text: str) -> dict[TomlPath, str]:
        """The paths of the marks in ``text``, each with its mark's rule (the first found)."""
        if not self.exact or not text:
            return {}
        hit = self.exact.get(text)
        if hit is not None and len(hit) == 1 and " " not in text:
            # the common case: a line that is exactly one entry (requirements.txt)
            return {hit[0]: self.rules.get((text, hit[0]), "") if self.rules else ""}
        ends = [m.start() for m in _ENDS.finditer(text)]
        found: dict[TomlPath, str] = {}
        for m in _STARTS.finditer(text):
            start = m.start()
            for end in ends[bisect.bisect_right(ends, start) :]:
                if end - start > self.longest:
                    break
                needle = text[start:end]
                for path in self.exact.get(needle, ()):
                    rule = self.rules.get((needle, path), "") if self.rules else ""
                    if path not in found or (rule and not found[path]):
                        found[path] = rule
        return found

    def key(self, text: str) -> dict[TomlPath, str]:
        """The marks equal to ``text`` (a JSON key), each with its rule."""
        return {path: self.rules.get((text, path), "") for path in self.exact.get(text, ())}


def _rule(mark: MarkLike) -> str:
    return mark.rule if isinstance(mark, Mark) else ""


def _produced(where: int | str, found: Mapping[TomlPath, str]) -> Produced:
    return Produced(where, tuple(found), tuple(found.values()))


def trace_text(text: str | bytes, marks: Iterable[MarkLike]) -> list[Produced]:
    """Which lines of ``text`` each mark's text appears on (as a whole token), line by line."""
    return _trace_text(text, _Matcher(marks))


def _trace_text(text: str | bytes, matcher: _Matcher) -> list[Produced]:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    out = []
    for no, line in enumerate(text.splitlines(), start=1):
        found = matcher.found(line)
        if found:
            out.append(_produced(no, found))
    return out


def trace_json(data: Any, marks: Iterable[MarkLike]) -> list[Produced]:
    """Which string fields (and keys) of a JSON value hold a mark's text (as a token), by JSON pointer."""
    return _trace_json(data, _Matcher(marks))


def _trace_json(data: Any, matcher: _Matcher) -> list[Produced]:
    out: list[Produced] = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                at = f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}"
                keyed = matcher.key(str(k))
                if keyed:  # a key the entry named (spark_env_vars: {"OMP_NUM_THREADS": ...})
                    out.append(_produced(at, keyed))
                walk(v, at)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{pointer}/{i}")
        elif isinstance(node, str):
            found = matcher.found(node)
            if found:
                out.append(_produced(pointer, found))

    walk(data, "")
    return out


def trace_files(
    files: Mapping[str, bytes | Path], marks: Iterable[MarkLike], spec_documents: Mapping[str, str] | None = None
) -> dict[str, list[Produced]]:
    """The provenance of every file: generated JSON by pointer, generated text by line, a copied
    file (line 1) from the marks naming it: those whose text is the end of its output path
    (``python/wheels/x.whl`` names ``deps/python/wheels/x.whl``), else those naming its file name
    (so ``/tmp/specc/python/requirements.txt`` does not claim a copied ``code/requirements.txt``).
    A file of ``spec_documents`` (the normalized spec as JSON) also by pointer = path, first."""
    marks = list(marks)
    matcher = _Matcher(marks)
    by_name: dict[str, list[MarkLike]] = {}
    for mark in marks:
        by_name.setdefault(mark[0].rsplit("/", 1)[-1], []).append(mark)
    out: dict[str, list[Produced]] = {}
    for name, content in sorted(files.items()):
        if not isinstance(content, bytes):
            named = by_name.get(name.rsplit("/", 1)[-1], [])
            tail = [m for m in named if name == m[0] or name.endswith("/" + m[0].lstrip("/"))]
            copied: dict[TomlPath, str] = {}
            for mark in tail or named:
                if mark[1] not in copied or (_rule(mark) and not copied[mark[1]]):
                    copied[mark[1]] = _rule(mark)
            out[name] = [_produced(1, copied)] if copied else []
        elif name.endswith(".json"):
            data = json.loads(content)
            mirrored = _trace_document(data, spec_documents[name]) if spec_documents and name in spec_documents else []
            out[name] = _trace_json(data, matcher) + mirrored
        else:
            out[name] = _trace_text(content, matcher)
    return out


def _trace_document(data: Any, rule: str) -> list[Produced]:
    """Every scalar (and empty list or object) of a normalized spec serialized as JSON, traced to
    the path its pointer spells (object keys as they are, list positions as ints)."""
    out: list[Produced] = []

    def walk(node: Any, pointer: str, path: TomlPath) -> None:
        if isinstance(node, dict) and node:
            for k, v in node.items():
                walk(v, f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}", (*path, str(k)))
        elif isinstance(node, list) and node:
            for i, v in enumerate(node):
                walk(v, f"{pointer}/{i}", (*path, i))
        elif path:
            out.append(Produced(pointer, (path,), (rule,)))

    walk(data, "", ())
    return out


# --- capability tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What a capability rule may depend on besides the spec: the runtime a target resolves.

    ``diagnostics`` are the target's findings while resolving them (e.g. Databricks'
    defaulted runtime, SPC320); they are reported like the table's.
    """

    runtime: RuntimeInfo | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    # values the table's messages may name ({python}, {cuda}...), besides {runtime}
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def serverless(self) -> bool:
        return self.runtime is not None and self.runtime.serverless


@dataclass(frozen=True)
class Use:
    """One place a spec uses a feature: the normalized path and values for the rule's message."""

    path: TomlPath
    values: Mapping[str, str] = field(default_factory=dict)


Condition = Callable[["EnvSpec", Facts, Use], bool]


@dataclass(frozen=True)
class Supported:
    """The target expresses the feature."""

    note: str = ""


@dataclass(frozen=True)
class Ignored:
    """The target does not read this part of the spec at all (it may answer a whole section)."""

    note: str


@dataclass(frozen=True)
class Unsupported:
    """The diagnostic a target raises for a use of the feature.

    ``message``/``hint`` are :meth:`str.format` templates over the use's values plus
    ``runtime`` (the resolved runtime's key).  ``when`` limits the rule (else always);
    ``at`` reports on a fixed path (once) instead of on each use's path.
    """

    code: str
    severity: Severity
    message: str
    hint: str | None = None
    when: Condition | None = None
    at: TomlPath | None = None


Support = Union[Supported, Ignored, Unsupported, tuple[Unsupported, ...]]  # noqa: UP007
CapabilityTable = Mapping[str, Support]


def rules(support: Support) -> tuple[Unsupported, ...]:
    if isinstance(support, Unsupported):
        return (support,)
    if isinstance(support, tuple):
        return support
    return ()


def answer_all(support: Support, *keys: str) -> dict[str, Support]:
    """The same answer for several features of a capability table: ``**answer_all(Supported(), "a", "b")``."""
    return dict.fromkeys(keys, support)


#: The keys of a requirement in table form (``python.requirements.<key>``), for the tables.
REQUIREMENT_FIELDS = ("name", "version", "specifier", "extras", "markers", "url")


def check_table(table: CapabilityTable, spec: EnvSpec, facts: Facts) -> list[Diagnostic]:
    """The diagnostics ``table`` raises for ``spec`` (normalized paths, no file/span), in order."""
    from specc.backends.features import FEATURES

    out: list[Diagnostic] = list(facts.diagnostics)
    for key, support in table.items():
        rs = rules(support)
        if not rs:
            continue
        uses = list(FEATURES[key].find(spec))
        for rule in rs:
            hits = [u for u in uses if rule.when is None or rule.when(spec, facts, u)]
            if rule.at is not None:
                hits = hits[:1]
            for use in hits:
                values = {"runtime": facts.runtime.key if facts.runtime else "", **facts.values, **use.values}
                d = Diagnostic.create(
                    rule.code,
                    severity=rule.severity,
                    message=rule.message.format(**values),
                    path=rule.at if rule.at is not None else use.path,
                    hint=rule.hint.format(**values) if rule.hint else None,
                )
                if d not in out:  # two features reported on one fixed path say it once
                    out.append(d)
    return out


# --- the contract ----------------------------------------------------------------------------------


class Backend(Protocol):
    """A render target (see the module docstring)."""

    @property
    def name(self) -> str: ...

    @property
    def options_type(self) -> type[RenderOptions]: ...

    @property
    def capabilities(self) -> CapabilityTable: ...

    def facts(self, spec: EnvSpec, options: RenderOptions | None = None) -> Facts: ...

    def render(self, spec: EnvSpec, options: RenderOptions) -> Rendered: ...


def capability_diagnostics(backend: Backend, spec: EnvSpec, options: RenderOptions | None = None) -> list[Diagnostic]:
    """``backend``'s capability table over ``spec``: the part of ``render`` that ``validate`` runs."""
    return check_table(backend.capabilities, spec, backend.facts(spec, options))


# --- the one writer ----------------------------------------------------------------------------------

PROVENANCE_FILE = "specc-provenance.json"


def provenance_record(spec: EnvSpec, target: str, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``specc-provenance.json``: which specc, target and spec (by its hashes) produced the folder."""
    from specc import __version__

    return {
        "specc-version": __version__,
        "target": target,
        "model": spec.model.name,
        **(meta or {}),
        "dependency-hash": spec.hashes.dependencies,
        "hashes": spec.hashes.model_dump(mode="json"),
    }


def write_rendered(rendered: Rendered, dest: Path, *, root: Path | None = None) -> None:
    """Write a Rendered tree into ``dest`` (an empty temporary folder); copies skip build litter.

    ``root`` is the spec's repository root (:func:`specc.paths.spec_root`): a symlink inside a
    copied folder of the repository is followed only when it leads to a place inside it; in a
    folder from elsewhere (``--model``'s model folder), or with no ``root``, only when it
    leads to a place inside that folder.  Each folder is copied as exactly the files the code/artifact hash
    covers (:func:`specc.filetree.copy_tree`).
    """
    import shutil

    from specc.filetree import copy_tree

    top = os.path.normpath(os.path.abspath(dest))
    for rel in sorted(rendered.files):
        content = rendered.files[rel]
        target = dest / rel
        where = os.path.normpath(os.path.abspath(target))
        if rel.startswith("/") or not where.startswith(top.rstrip(os.sep) + os.sep):
            # a target's bug, never a user's input: nothing is ever written next to the output
            raise ValueError(f"output path {rel!r} leaves the output folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            if content.is_dir():
                # ``dest`` itself is left out too, since an output folder may sit inside a code
                # path (`[code] paths = ["pkg"]` with `--out pkg/build/...`)
                copy_tree(content, target, confine=_confine(content, root), exclude=dest)
            else:
                shutil.copy2(content, target)  # keeps the mode (an executable script stays one)
        else:
            target.write_bytes(content)
        mode = rendered.modes.get(rel)
        if mode is not None:
            target.chmod(mode)


def _confine(content: Path, root: Path | None) -> Path | None:
    """The folder no symlink inside ``content`` may lead out of: ``root`` when ``content`` is in
    it, else None (``content`` itself)."""
    if root is None:
        return None
    real, top = os.path.realpath(content), os.path.realpath(root)
    return root if real == top or real.startswith(top.rstrip(os.sep) + os.sep) else None


def write_output(rendered: Rendered, spec: EnvSpec, target: str, out: Path) -> None:
    """Write ``rendered`` and its ``specc-provenance.json`` atomically to ``out``.

    Raises :class:`specc.output.OutputError` when ``out`` is not specc's to replace.
    """
    from specc.output import atomic_dir, dump_json
    from specc.paths import spec_root

    with atomic_dir(out) as tmp:
        write_rendered(rendered, tmp, root=spec_root(spec))
        (tmp / PROVENANCE_FILE).write_text(dump_json(provenance_record(spec, target, rendered.meta)), "utf-8")
