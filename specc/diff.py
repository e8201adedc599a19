"""``specc diff OLD NEW``: what changes between two environments, per target.

Each side is one of three kinds (:func:`load_side`):

* ``spec``: a ``model-env.toml`` (or a folder holding one), validated like ``specc validate``
  does (the targets it implies); an invalid spec is a :class:`DiffInputError`, never a
  difference;
* ``lock``: a ``model-env.lock`` (:mod:`specc.lockfile`); it records the runtime, the resolved
  Python distributions and the apt / Maven / R declarations, nothing else;
* ``model``: a logged MLflow model, a folder or a ``models:/`` / ``runs:/`` URI
  (:func:`specc.envartifact.resolve_model_dir`).  With ``specc-environment.json`` (specc logged
  it) the spec it was logged from is rebuilt from it (:func:`specc.envartifact.load_from_model`,
  the same reader as ``specc render --from-model``) and compared section by section, so the
  lines MLflow adds to ``requirements.txt`` at log time (its own ``mlflow==`` pin, the flavor's
  default requirements) are not differences.  Without it only what MLflow records is known:
  ``requirements.txt`` (MLflow's own pin and the logged flavor's default requirements count only
  where the other side names the package -- a sklearn model's ``scikit-learn==1.5.2`` is
  compared with the spec's --, the same allowances as ``specc check --model``:
  :mod:`specc.drift`) and the Python version and
  Databricks Runtime of ``MLmodel`` / ``python_env.yaml``.

Each side becomes *entries*: ecosystem → name → :class:`Entry` (the text shown and the value
compared).  An ecosystem a side's kind does not record (a lock has no ``[env]``) is listed in
:attr:`DiffResult.not_compared` instead of being reported as removed.  The ecosystems
(:data:`ECOSYSTEMS`):

=================  ==========================================================================
``runtime``        ``python``, ``databricks``, ``cuda``, ``overrides``, ``docker-base-image`` (the effective
                   image: ``targets.docker.base-image`` or the one picked from the runtime)
``pip``            requirements by canonical name (and marker): extras and specifier, or URL
``pip-constraints`` the same for ``python.constraints``
``pip-indexes``    ``index-url`` and ``extra-index-urls`` (``${NAME}`` placeholders kept)
``wheels``         local wheels by project: file name and sha256
``apt``            packages: version, ``*`` when unpinned; ``debs``: private .deb by path → sha256
``maven``          artifacts by group:artifact[:packaging[:classifier]]: version, exclusions,
                   repository; ``(repository)`` for the default one; ``jars`` by path → sha256
``r``              packages: version or ``*``; ``(repository)``; ``r-sources`` by path → sha256
``env``            plain variables: values; a credential-looking one is hidden (``<hidden>``)
``secrets``        references only (Databricks scope/key, BuildKit id): specc never holds values
``code``           code paths: sha256 over the tree's files (:func:`specc.drift.tree_digest`)
``artifacts``      MLflow artifacts by key: path and content sha256
``options``        ``model.name``, ``[mlflow]`` and ``[targets.*]`` values by dotted key
=================  ==========================================================================

Per target (``mlflow``, ``docker``, ``databricks``) the report keeps the changes the target's
capability table does not answer :class:`~specc.backends.base.Ignored` (Docker ignores
``[artifacts]`` and ``[targets.databricks]``...), and adds:

* ``docker``: the layers a rebuild invalidates (:func:`docker_layers`): both sides rendered in
  memory by the Docker backend and the two Dockerfiles compared instruction by instruction, each
  ``COPY`` together with the build-context files it copies;
* ``databricks``: whether a running all-purpose cluster must restart (:func:`databricks_restart`).

Every value shown goes through :func:`specc.diagnostics.redact`; ``[env]`` values whose name or
value looks like a credential (the rule of ``specc validate``'s SPC404) are never shown.
Diagnostics of this module: SPC780-SPC782 (docs/diff.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from specc.diagnostics import Diagnostic, redact

if TYPE_CHECKING:
    from specc.backends.base import Rendered
    from specc.lockfile import LockFile
    from specc.mlmodel import MLmodel
    from specc.spec import EnvSpec

__all__ = [
    "ECOSYSTEMS",
    "Change",
    "DiffInputError",
    "DiffResult",
    "Entry",
    "LayerReport",
    "RestartReport",
    "Side",
    "databricks_restart",
    "diff",
    "diff_sides",
    "docker_layers",
    "load_side",
    "render_text",
]

Kind = Literal["spec", "lock", "model"]
ChangeKind = Literal["added", "removed", "changed"]

ECOSYSTEMS: tuple[str, ...] = (
    "runtime",
    "pip",
    "pip-constraints",
    "pip-indexes",
    "wheels",
    "apt",
    "debs",
    "maven",
    "jars",
    "r",
    "r-sources",
    "env",
    "secrets",
    "code",
    "artifacts",
    "options",
)
TARGETS: tuple[str, ...] = ("mlflow", "docker", "databricks")
HIDDEN = "<hidden>"
ANY_VERSION = "*"

#: What each kind of input records (the rest is "not compared" against it).
_LOCK_ECOSYSTEMS = frozenset(
    {"runtime", "pip", "pip-indexes", "wheels", "apt", "debs", "maven", "jars", "r", "r-sources"}
)
_BARE_MODEL_ECOSYSTEMS = frozenset({"runtime", "pip"})


class DiffInputError(Exception):
    """A side cannot be read or is invalid (exit 2); ``diagnostics`` say why, ``sources`` hold
    the text of the files they point into."""

    def __init__(self, message: str, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics
        self.sources = sources or {}


@dataclass(frozen=True)
class Entry:
    """One compared value: ``text`` is what is shown (masked), ``key`` what is compared
    (``==2.2`` and ``==2.2.0`` share a key); ``field`` the spec feature it belongs to
    (:mod:`specc.backends.features`), which decides the targets it concerns.  ``recorded``:
    a fact a logged model recorded about where it was logged (``3.11.7``, Databricks ``15.4``),
    not a spec's value: it matches any spec value it satisfies (``3.11``, ``15.4.x-cpu-ml-...``);
    a lock's wheel has no sha256 (``recorded`` too: compared by file name).  ``allowance``: a
    line MLflow may have added to a model's ``requirements.txt`` itself (its own pin, the
    flavor's default requirements): compared only when the other side names the package too,
    never shown as added or removed (as ``specc check --model`` allows them)."""

    text: str
    key: Any
    field: str
    recorded: bool = False
    allowance: bool = False


@dataclass(frozen=True, order=True)
class Change:
    """One difference: ``old``/``new`` are the shown texts (None on the side without it)."""

    ecosystem: str
    name: str
    change: ChangeKind
    old: str | None
    new: str | None
    field: str

    def to_dict(self) -> dict[str, Any]:
        return {"ecosystem": self.ecosystem, "name": self.name, "change": self.change, "old": self.old, "new": self.new}


@dataclass
class Side:
    """One side of a diff, read once."""

    kind: Kind
    display: str
    entries: dict[str, dict[str, Entry]]
    #: a spec, or the spec a model was logged from (renders for Docker/Databricks); None for a
    #: lock and a model without specc-environment.json
    spec: EnvSpec | None = None
    lock: LockFile | None = None
    mlmodel: MLmodel | None = None
    notes: list[str] = field(default_factory=list)
    #: ecosystems of which this kind records only some names (a lock's runtime has no Docker
    #: base image; a bare model's runtime only its Python, and the Databricks Runtime when
    #: MLmodel records one): other names there are not compared
    known: dict[str, frozenset[str]] = field(default_factory=dict)

    def implied_targets(self) -> tuple[str, ...]:
        """The targets this side declares or implies (a spec's, :func:`specc.backends.implied_targets`);
        for a lock or a bare model: mlflow, plus databricks when it records a Databricks Runtime."""
        if self.spec is not None:
            from specc.backends import implied_targets

            return implied_targets(self.spec)
        runtime = self.entries.get("runtime", {})
        return ("databricks", "mlflow") if "databricks" in runtime else ("mlflow",)


# --- reading a side ----------------------------------------------------------------------------


def _is_uri(text: str) -> bool:
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:/", text) is not None and not re.match(r"^[A-Za-z]:[\\/]", text)


def load_side(arg: str) -> Side:
    """Read one side: a spec file or folder, a ``model-env.lock``, or a logged model (folder or URI).

    A folder holding ``MLmodel`` is a model; one holding ``model-env.toml`` a spec; one holding
    only ``model-env.lock`` a lock.  A file named ``*.lock`` is a lock, ``MLmodel`` its model's
    folder, anything else a spec.  Raises :class:`DiffInputError` (SPC780 unreadable input,
    SPC781 an invalid lock, SPC782 an unreadable model, or the spec's own validation errors).
    """
    from specc.lockfile import LOCK_NAME

    path = Path(arg)
    if _is_uri(arg) and not path.exists():
        return _load_model(arg)
    if path.is_dir():
        if (path / "MLmodel").is_file():
            return _load_model(arg)
        if (path / "model-env.toml").is_file() or not (path / LOCK_NAME).is_file():
            return _load_spec(str(path / "model-env.toml"))
        return _load_lock(path / LOCK_NAME, str(path / LOCK_NAME))
    if not path.exists():
        raise DiffInputError(
            f"{arg}: no such file or folder",
            [
                Diagnostic.error(
                    "SPC780",
                    message=f"{arg}: no such file, folder or model",
                    hint="give a model-env.toml (or its folder), a model-env.lock, or a logged model "
                    "(folder, models:/NAME/VERSION, runs:/RUN_ID/PATH)",
                    file=arg,
                )
            ],
        )
    if path.name == "MLmodel":
        return _load_model(str(path.parent))
    if path.suffix == ".lock":
        return _load_lock(path, arg)
    return _load_spec(arg)


def _load_spec(path: str) -> Side:
    from specc.api import check

    result = check(Path(path), display=path)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if result.spec is None or errors:
        raise DiffInputError(f"{path} is invalid", errors or result.diagnostics, result.sources)
    return Side("spec", path, spec_entries(result.spec), spec=result.spec)


def _load_lock(path: Path, display: str) -> Side:
    from specc.lockfile import LockError, read_lock

    try:
        lock = read_lock(path)
    except LockError as exc:
        message = str(exc)
        raise DiffInputError(
            message,
            [
                Diagnostic.error(
                    "SPC781", message=message, hint=exc.hint or "re-create it with `specc lock`", file=display
                )
            ],
        ) from None
    known = {"runtime": frozenset({"python", "databricks", "cuda", "overrides"})}
    return Side("lock", display, lock_entries(lock), lock=lock, known=known)


def _model_error(uri: str, message: str) -> DiffInputError:
    return DiffInputError(
        message,
        [
            Diagnostic.error(
                "SPC782",
                message=message,
                hint="give a logged MLflow model: its folder (holding MLmodel), models:/NAME/VERSION "
                "or runs:/RUN_ID/PATH",
                file=uri,
            )
        ],
    )


def _load_model(uri: str) -> Side:
    from specc.envartifact import FromModelError, find_artifact, load_from_model, resolve_model_dir
    from specc.mlmodel import MLmodelError, read_mlmodel

    try:
        model_dir = resolve_model_dir(uri)
        mlmodel = read_mlmodel(model_dir)
    except (FromModelError, MLmodelError) as exc:
        raise _model_error(uri, str(exc)) from None
    if find_artifact(model_dir, mlmodel) is not None:
        try:
            loaded = load_from_model(model_dir)
        except FromModelError as exc:
            raise _model_error(uri, str(exc)) from None
        entries = spec_entries(loaded.spec)
        # What the model installs beyond its spec: MLflow's own pin, the flavor's defaults and,
        # for a model logged from a lock (`specc compile --locked`), every locked pin.  Each is
        # an allowance: compared where the other side names the package (a lock names them all),
        # never added or removed against a spec that does not.
        named = {_canon(key.split(";")[0]) for key in entries["pip"]}
        for key, (name, entry) in (model_requirement_entries(model_dir) or {}).items():
            if name not in named:
                entries["pip"][key] = replace(entry, allowance=True)
        return Side(
            "model",
            uri,
            entries,
            spec=loaded.spec,
            mlmodel=mlmodel,
            notes=[
                "compared through its specc-environment.json (the spec it was logged from) and, for "
                "packages that spec does not name, its requirements.txt"
            ],
        )
    runtime = {"python", "databricks"} if mlmodel.databricks_runtime else {"python"}
    return Side(
        "model",
        uri,
        bare_model_entries(model_dir, mlmodel),
        mlmodel=mlmodel,
        known={"runtime": frozenset(runtime)},
        notes=[
            "no specc-environment.json: only requirements.txt (MLflow's own pin and the "
            f"{mlmodel.logged_flavor} flavor's default requirements compared only where the other side "
            "names them) and the Python version and Databricks Runtime are known"
        ],
    )


# --- entries -----------------------------------------------------------------------------------


def _canon(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def _pip_entry(name: str, extras: Iterable[str], specifier: str, url: str | None, field: str) -> Entry:
    """extras + specifier (or ``@ url``) as text; the key compares specifiers PEP 440-aware."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    ex = sorted(_canon(e) for e in extras)
    text = (f"[{','.join(ex)}]" if ex else "") + (f"@ {url}" if url else (specifier or ANY_VERSION))
    try:
        spec_key: Any = SpecifierSet(specifier) if not url else None
    except InvalidSpecifier:
        spec_key = specifier
    return Entry(redact(text), (tuple(ex), url, spec_key), field)


def _req_name(name: str, markers: str | None) -> str:
    return f"{name}; {markers}" if markers else name


def _digest(mapping: Mapping[str, str]) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(dict(sorted(mapping.items()))).encode("utf-8")).hexdigest()


def _tree(base: str | None, rel: str) -> str:
    """sha256 over a file's or folder's files (the file-tree policy of specc.filetree)."""
    if base is None:
        return "unknown"
    from specc.drift import tree_digest

    path = Path(base) / rel
    if not path.exists():
        return "missing"
    return _digest(tree_digest(path))


def env_hidden(name: str, value: str) -> bool:
    """Whether an ``[env]`` value is never shown: the one masking rule of
    :func:`specc.diagnostics.env_value_is_credential` (a name that says credential, ``*_TOKEN``...,
    or a value of a credential shape; a bare ``${NAME}`` placeholder is a reference and stays
    visible)."""
    from specc.diagnostics import env_value_is_credential

    return env_value_is_credential(name, value)


def _flatten(prefix: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}", v, out)
    else:
        out[prefix] = json.dumps(value) if not isinstance(value, str) else value


def spec_entries(spec: EnvSpec) -> dict[str, dict[str, Entry]]:
    """Every ecosystem of a normalized spec as entries (the sides ``spec`` and ``model`` with
    specc-environment.json)."""
    from specc.backends.docker import default_base_image

    out: dict[str, dict[str, Entry]] = {eco: {} for eco in ECOSYSTEMS}
    rt = out["runtime"]
    rt["python"] = Entry(spec.runtime.python, spec.runtime.python, "runtime.python")
    if spec.runtime.databricks:
        rt["databricks"] = Entry(spec.runtime.databricks, spec.runtime.databricks, "runtime.databricks")
    if spec.runtime.cuda:
        rt["cuda"] = Entry(spec.runtime.cuda, spec.runtime.cuda, "runtime.cuda")
    _overrides(rt, spec.runtime.overrides)
    image = spec.targets.docker.base_image or default_base_image(spec)
    if image:
        rt["docker-base-image"] = Entry(image, image, "targets.docker.base-image")
    for eco, reqs, fld in (
        ("pip", spec.python.requirements, "python.requirements"),
        ("pip-constraints", spec.python.constraints, "python.constraints"),
    ):
        for r in reqs:
            out[eco][_req_name(r.name, r.markers)] = _pip_entry(r.name, r.extras, r.specifier, r.url, fld)
    _indexes(out, spec.python.index_url, spec.python.extra_index_urls)
    for w in spec.python.wheels:
        out["wheels"][w.project] = Entry(f"{w.filename} sha256:{w.sha256}", (w.filename, w.sha256), "python.wheels")
    for p in spec.apt.packages:
        out["apt"][p.name] = Entry(p.version or ANY_VERSION, p.version, "apt.packages")
    for eco, refs, fld in (
        ("debs", spec.apt.debs, "apt.debs"),
        ("jars", spec.maven.jars, "maven.jars"),
        ("r-sources", spec.r.sources, "r.sources"),
    ):
        for f in refs:
            out[eco][f.path] = Entry(f"sha256:{f.sha256}", f.sha256, fld)
    _maven(out, spec.maven.repository, spec.maven.packages)
    _r(out, spec.r.repository, spec.r.packages)
    for name, value in spec.env.items():
        shown = HIDDEN if env_hidden(name, value) else redact(json.dumps(value, ensure_ascii=False))
        out["env"][name] = Entry(shown, value, "env")
    for name, s in spec.secrets.items():
        parts = [f"databricks={s.databricks}" if s.databricks else "databricks=(unset)", f"docker={s.docker}"]
        out["secrets"][name] = Entry(" ".join(parts), (s.databricks, s.docker), "secrets")
    for c in spec.code.paths:
        digest = _tree(spec.base_dir, c.path)
        out["code"][c.path] = Entry(digest, digest, "code.paths")
    for key, ref in spec.artifacts.items():
        digest = _tree(spec.base_dir, ref.path)
        out["artifacts"][key] = Entry(f"{ref.path} {digest}", digest, "artifacts")
    flat: dict[str, str] = {}
    data = spec.to_dict(with_hashes=False)
    for section in ("model", "mlflow", "targets"):
        _flatten(section, data.get(section, {}), flat)
    for key, text in flat.items():
        out["options"][key] = Entry(redact(text), text, key)
    return out


def _overrides(runtime: dict[str, Entry], overrides: tuple[str, ...]) -> None:
    if overrides:
        runtime["overrides"] = Entry(" ".join(overrides), overrides, "runtime.overrides")


def _indexes(out: dict[str, dict[str, Entry]], index_url: str | None, extra: Iterable[str]) -> None:
    if index_url:
        out["pip-indexes"]["index-url"] = Entry(redact(index_url), index_url, "python.index-url")
    extras = list(extra)
    if extras:
        text = " ".join(extras)
        out["pip-indexes"]["extra-index-urls"] = Entry(redact(text), tuple(extras), "python.extra-index-urls")


def _maven(out: dict[str, dict[str, Entry]], repository: str | None, packages: Iterable[Any]) -> None:
    from specc.spec import MavenCoordinate

    if repository:
        out["maven"]["(repository)"] = Entry(redact(repository), repository, "maven.repository")
    for p in packages:
        c = MavenCoordinate.parse(p.coordinates)
        text = c.version
        if p.exclusions:
            text += f" exclusions={','.join(p.exclusions)}"
        if p.repository:
            text += f" repository={p.repository}"
        out["maven"][c.ident] = Entry(redact(text), (c.version, tuple(p.exclusions), p.repository), "maven.packages")


def _r(out: dict[str, dict[str, Entry]], repository: str | None, packages: Iterable[Any]) -> None:
    if repository:
        out["r"]["(repository)"] = Entry(redact(repository), repository, "r.repository")
    for p in packages:
        text = (p.version or ANY_VERSION) + (f" repository={p.repository}" if p.repository else "")
        out["r"][p.name] = Entry(redact(text), (p.version, p.repository), "r.packages")


def lock_entries(lock: LockFile) -> dict[str, dict[str, Entry]]:
    """What a ``model-env.lock`` records: the runtime, the resolved distributions of its first
    locked platform (as ``specc check`` reads it), indexes, local wheels and the declared apt,
    Maven and R dependencies."""
    out: dict[str, dict[str, Entry]] = {eco: {} for eco in _LOCK_ECOSYSTEMS}
    rt = lock.runtime
    out["runtime"]["python"] = Entry(rt.python, rt.python, "runtime.python")
    if rt.databricks:
        out["runtime"]["databricks"] = Entry(rt.databricks, rt.databricks, "runtime.databricks")
    if rt.cuda:
        out["runtime"]["cuda"] = Entry(rt.cuda, rt.cuda, "runtime.cuda")
    _overrides(out["runtime"], rt.overrides)
    for p in lock.python_packages():
        if p.path:  # a local wheel of the spec: the lock records its path, not its sha256
            name = Path(p.path).name
            out["wheels"][_canon(p.name)] = Entry(name, (name, None), "python.wheels", recorded=True)
            continue
        spec = f"=={p.version}" if p.version else ""
        out["pip"][p.name] = _pip_entry(p.name, (), spec, p.url, "python.requirements")
    _indexes(out, lock.python.index_url, lock.python.extra_index_urls)
    for a in lock.apt.packages:
        out["apt"][a.name] = Entry(a.version or ANY_VERSION, a.version, "apt.packages")
    for eco, refs, fld in (
        ("debs", lock.apt.debs, "apt.debs"),
        ("jars", lock.maven.jars, "maven.jars"),
        ("r-sources", lock.r.sources, "r.sources"),
    ):
        for f in refs:
            out[eco][f.path] = Entry(f"sha256:{f.sha256}", f.sha256, fld)
    _maven(out, lock.maven.repository, lock.maven.packages)
    _r(out, lock.r.repository, lock.r.packages)
    return out


def bare_model_entries(model_dir: Path, mlmodel: MLmodel) -> dict[str, dict[str, Entry]]:
    """What MLflow alone records of a model: ``requirements.txt`` (MLflow's own pin and the
    logged flavor's default requirements, which MLflow adds at log time, are
    :attr:`Entry.allowance`: compared only with a side that names them, the allowances of
    :mod:`specc.drift`), the Python version (``python_env.yaml``, else MLmodel) and MLmodel's
    ``databricks_runtime``.  Without ``requirements.txt`` the ``pip`` ecosystem is left out (not
    compared)."""
    from specc.drift import _MLFLOW_OWN, _flavor_default_names

    out: dict[str, dict[str, Entry]] = {eco: {} for eco in _BARE_MODEL_ECOSYSTEMS}
    python = None
    py_env = model_dir / "python_env.yaml"
    if py_env.is_file():
        import yaml

        try:
            data = yaml.safe_load(py_env.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None
        if isinstance(data, dict) and data.get("python"):
            python = str(data["python"])
    python = python or mlmodel.python_version
    if python:
        out["runtime"]["python"] = Entry(python, python, "runtime.python", recorded=True)
    if mlmodel.databricks_runtime:
        dbr = mlmodel.databricks_runtime
        out["runtime"]["databricks"] = Entry(dbr, dbr, "runtime.databricks", recorded=True)
    pins = model_requirement_entries(model_dir)
    if pins is None:  # logged without pip requirements: pip is not known, not empty
        del out["pip"]
        return out
    skip = set(_MLFLOW_OWN) | set(_flavor_default_names(mlmodel.logged_flavor, mlmodel) or ())
    for key, (name, entry) in pins.items():
        out["pip"][key] = replace(entry, allowance=name in skip)
    return out


def model_requirement_entries(model_dir: Path) -> dict[str, tuple[str, Entry]] | None:
    """The requirement lines of a model's ``requirements.txt`` (what MLflow installs with it):
    key (:func:`_req_name`) → (canonical name, entry); options (``-c``, ``--index-url``) and
    lines that are not PEP 508 (``code/<wheel>``) are left out.  None without the file."""
    from packaging.requirements import InvalidRequirement, Requirement

    from specc.drift import _req_spans

    req = model_dir / "requirements.txt"
    if not req.is_file():
        return None
    out: dict[str, tuple[str, Entry]] = {}
    for _span, line in _req_spans(req.read_text(encoding="utf-8")):
        if line.startswith("-"):
            continue
        try:
            r = Requirement(line)
        except InvalidRequirement:
            continue
        name = _canon(r.name)
        marker = str(r.marker) if r.marker else None
        entry = _pip_entry(name, r.extras, str(r.specifier), r.url or None, "python.requirements")
        out[_req_name(name, marker)] = (name, entry)
    return out


def _major_minor(value: str) -> str:
    m = re.match(r"^\s*(\d+)\.(\d+)", value)
    return f"{m.group(1)}.{m.group(2)}" if m else value


# --- comparing ---------------------------------------------------------------------------------


def _same(eco: str, name: str, old: Entry, new: Entry) -> bool:
    """Whether two entries of the same name are equal: by key, except against a recorded fact
    (:attr:`Entry.recorded`): a logged Python ``3.11.7`` satisfies ``3.11`` (as ``specc check``
    reads python_env.yaml), a logged Databricks ``15.4`` any 15.4 key, a lock's wheel its
    file name."""
    if not (old.recorded or new.recorded):
        return bool(old.key == new.key)
    if eco == "runtime" and name == "python":
        a, b = old.text.split("."), new.text.split(".")
        n = min(len(a), len(b))
        return a[:n] == b[:n]
    if eco == "runtime" and name == "databricks":
        return _major_minor(old.text) == _major_minor(new.text)
    if eco == "wheels":
        return bool(old.key[0] == new.key[0])
    return bool(old.key == new.key)


def _changed_field(eco: str, old: Entry, new: Entry) -> str:
    """The feature a change concerns: a secret whose Databricks mapping alone changed concerns
    ``secrets.databricks`` (which Docker ignores), one whose BuildKit id alone changed
    ``secrets.docker`` (which Databricks ignores)."""
    if eco == "secrets":
        (old_dbx, old_docker), (new_dbx, new_docker) = old.key, new.key
        if old_docker == new_docker:
            return "secrets.databricks"
        if old_dbx == new_dbx:
            return "secrets.docker"
    return new.field


def compare_entries(old: Side, new: Side) -> tuple[list[Change], list[str]]:
    """(every change, sorted; the ecosystems not compared because one side does not record them)."""
    changes: list[Change] = []
    not_compared = []
    for eco in ECOSYSTEMS:
        a, b = old.entries.get(eco), new.entries.get(eco)
        if a is None or b is None:
            if a is not None or b is not None:
                not_compared.append(eco)
            continue
        names = set(a) | set(b)
        for side in (old, new):
            if eco in side.known:
                names &= side.known[eco]
        for name in sorted(names):
            ea, eb = a.get(name), b.get(name)
            if (ea is None and eb is not None and eb.allowance) or (eb is None and ea is not None and ea.allowance):
                continue  # a line MLflow adds itself, which the other side does not name
            if ea is None and eb is not None:
                changes.append(Change(eco, name, "added", None, eb.text, eb.field))
            elif eb is None and ea is not None:
                changes.append(Change(eco, name, "removed", ea.text, None, ea.field))
            elif ea is not None and eb is not None and not _same(eco, name, ea, eb):
                changes.append(Change(eco, name, "changed", ea.text, eb.text, _changed_field(eco, ea, eb)))
    return changes, not_compared


def relevant(target: str, feature: str) -> bool:
    """Whether a change of ``feature`` concerns ``target``: its capability table does not answer
    the feature (or its nearest listed parent) :class:`~specc.backends.base.Ignored`."""
    from specc.backends import get_backend
    from specc.backends.base import Ignored

    table = get_backend(target).capabilities
    parts = feature.split(".")
    while parts:
        key = ".".join(parts)
        if key in table:
            return not isinstance(table[key], Ignored)
        parts.pop()
    return True


# --- docker ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One build step of a rendered Dockerfile: ``line`` 1-based in that file."""

    stage: str
    instruction: str
    line: int
    summary: str
    key: tuple[Any, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "instruction": self.instruction, "line": self.line, "summary": self.summary}


@dataclass
class LayerReport:
    """What a rebuild of the image reuses: ``computed`` False (with ``reason``) when a side cannot
    be rendered for Docker; ``invalidated`` are the NEW Dockerfile's steps from the first changed
    one on (per stage), ``kept`` how many of NEW's steps stay cached."""

    computed: bool
    reason: str | None = None
    kept: int = 0
    invalidated: list[Step] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "computed": self.computed,
            "reason": self.reason,
            "kept": self.kept,
            "invalidated": [s.to_dict() for s in self.invalidated],
        }


def _content(files: Mapping[str, bytes | Path], prefix: str) -> str:
    """sha256 over the build-context files under ``prefix`` (a COPY source)."""
    from specc.drift import tree_digest
    from specc.hashing import sha256_bytes

    prefix = prefix.removeprefix("./")
    folder = prefix.rstrip("/") + "/"
    found: dict[str, str] = {}
    for rel, data in files.items():
        if rel != prefix.rstrip("/") and not rel.startswith(folder):
            continue
        if isinstance(data, bytes):
            found[rel] = sha256_bytes(data)
        else:
            for sub, sha in tree_digest(Path(data)).items():
                found[f"{rel}/{sub}" if sub else rel] = sha
    return _digest(found)


def _summary(instruction: str, value: str) -> str:
    text = re.sub(r"\s+", " ", value).strip()
    if instruction == "ENV":  # names only: values may be anything
        names = re.findall(r"(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=", text)
        return "ENV " + " ".join(names)
    text = redact(text)
    return f"{instruction} {text[:72]}…" if len(text) > 72 else f"{instruction} {text}"


def dockerfile_steps(rendered: Rendered) -> list[Step]:
    """The build steps of a rendered Docker context, each keyed by its text and, for ``COPY``
    from the context, the content of the files it copies; ``COPY --from=STAGE`` by that stage's
    steps; every step of a stage by the stage's ``FROM`` and the global ``ARG`` s before it.

    Parsed with dockerfile-parse (``structure``: instruction, 0-based start line, value).
    """
    from dockerfile_parse import DockerfileParser

    data = rendered.files["Dockerfile"]
    assert isinstance(data, bytes)
    parser = DockerfileParser(fileobj=io.BytesIO(data), env_replace=False)
    steps: list[Step] = []
    global_args: list[str] = []
    stage = ""
    stage_keys: dict[str, tuple[Any, ...]] = {}
    current: list[Any] = []
    for item in parser.structure:
        ins = str(item["instruction"]).upper()
        value = str(item["value"])
        if ins == "COMMENT":
            continue
        if ins == "FROM":
            if stage:
                stage_keys[stage] = tuple(current)
            m = re.search(r"\bAS\s+(\S+)\s*$", value, re.IGNORECASE)
            stage = m.group(1) if m else "final"
            current = [tuple(global_args), value]
        elif not stage:
            global_args.append(value)
            continue
        key: list[Any] = [ins, value]
        if ins in ("COPY", "ADD"):
            words = value.split()
            from_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), None)
            sources = [w for w in words if not w.startswith("--")][:-1]
            if from_stage is not None:
                key.append(stage_keys.get(from_stage, ()))
            else:
                key += [_content(rendered.files, s) for s in sources]
        current.append(tuple(key))
        steps.append(Step(stage, ins, int(item["startline"]) + 1, _summary(ins, value), tuple(current)))
    return steps


def docker_layers(old: EnvSpec, new: EnvSpec) -> LayerReport:
    """Render both specs with the Docker backend (in memory) and compare the Dockerfiles step by
    step: within each stage the first step whose instruction or copied content differs, and every
    step after it, is rebuilt (Docker's build cache reuses a step only when its parent and the
    step itself are unchanged); a stage's steps are keyed by everything above them, so the
    comparison stops at the first difference."""
    from specc.backends import get_backend

    backend = get_backend("docker")
    rendered = []
    for spec, which in ((old, "OLD"), (new, "NEW")):
        r = backend.render(spec, backend.options_type())
        errors = [d for d in r.diagnostics if d.severity == "error"]
        if errors:
            return LayerReport(False, reason=_unrendered(which, "docker", errors[0]))
        rendered.append(r)
    a, b = dockerfile_steps(rendered[0]), dockerfile_steps(rendered[1])
    old_keys = {s.key for s in a}
    invalidated = [s for s in b if s.key not in old_keys]
    return LayerReport(True, kept=len(b) - len(invalidated), invalidated=invalidated)


# --- databricks --------------------------------------------------------------------------------


@dataclass
class RestartReport:
    """Whether a running all-purpose cluster must restart to take the NEW environment.

    ``restart`` is None when it cannot be told (``reason`` says why: a side does not render for
    Databricks) or there is no cluster (serverless).  ``reasons`` name each change that needs a
    restart; ``installable`` the libraries that install on the running cluster without one.
    """

    computed: bool
    restart: bool | None
    reasons: list[str] = field(default_factory=list)
    installable: list[str] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "computed": self.computed,
            "restart": self.restart,
            "reasons": self.reasons,
            "installable": self.installable,
            "reason": self.reason,
        }


def _library_identity(lib: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, what it installs without its version) of a Libraries API entry."""
    kind = next(iter(lib))
    body = lib[kind]
    if kind == "pypi":
        from packaging.requirements import InvalidRequirement, Requirement

        package = str(body.get("package", ""))
        try:
            return kind, _canon(Requirement(package).name)
        except InvalidRequirement:
            return kind, package
    if kind == "maven":
        parts = str(body.get("coordinates", "")).split(":")
        return kind, ":".join(parts[:-1])
    if kind == "cran":
        return kind, str(body.get("package", ""))
    return kind, str(body)


def _describe_library(lib: Mapping[str, Any]) -> str:
    kind = next(iter(lib))
    body = lib[kind]
    if isinstance(body, Mapping):
        what = body.get("package") or body.get("coordinates") or json.dumps(body, sort_keys=True)
    else:
        what = body
    return redact(f"{kind} {what}")


def _describe_library_change(old: Mapping[str, Any], new: Mapping[str, Any], content_changed: bool) -> str:
    """``old → new`` as :func:`_describe_library` shows them; when that reads the same on both
    sides, what else differs: the library's other fields (a Maven package's ``exclusions`` or
    ``repo``, a PyPI package's ``repo``), or the content of the file at the same path."""
    a, b = _describe_library(old), _describe_library(new)
    if a != b:
        return f"{a} → {b}"
    kind = next(iter(new))
    body_a, body_b = old.get(kind), new.get(kind)
    fields = []
    if isinstance(body_a, Mapping) and isinstance(body_b, Mapping):
        for key in sorted(set(body_a) | set(body_b)):
            if body_a.get(key) != body_b.get(key):
                fields.append(f"{key} {_field_text(body_a.get(key))} → {_field_text(body_b.get(key))}")
    if content_changed:
        fields.append("the file's content (sha256)")
    return redact(f"{b}: " + "; ".join(fields)) if fields else f"{a} → {b}"


def _field_text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def _json_file(rendered: Rendered, name: str) -> Any:
    data = rendered.files.get(name)
    return json.loads(data) if isinstance(data, bytes) else None


def databricks_restart(old: EnvSpec, new: EnvSpec) -> RestartReport:
    """Render both specs with the Databricks backend (in memory) and decide whether a running
    all-purpose cluster carrying OLD must restart to carry NEW.

    Documented Databricks behaviour this follows:

    * Libraries API ``install``: "The installation is asynchronous; it happens in the background
      after the completion of this request" on a running cluster; ``uninstall``: "The libraries
      won't be uninstalled until the cluster is restarted" (databricks-sdk
      ``compute.LibrariesAPI`` docstrings; Databricks CLI reference, "libraries command group",
      https://docs.databricks.com/gcp/dev-tools/cli/reference/libraries-commands).  So libraries
      only added install without a restart; a removed library, or one replaced by another
      version or file (an uninstall plus an install: the old one stays loaded), needs a restart.
    * Init scripts: "a shell script that runs during startup of each cluster node before the
      Apache Spark driver or executor JVM starts" ("What are init scripts?",
      https://docs.databricks.com/gcp/init-scripts).  A changed init script, or a changed file
      it installs (requirements, constraints, .deb, R source uploaded next to it), takes effect
      only when the nodes start again: restart.
    * Cluster attributes (``spark_version``, ``spark_env_vars``, ``spark_conf``, ``init_scripts``,
      ``node_type_id``, ``data_security_mode``): "If a cluster is updated while in a RUNNING
      state, it will be restarted so that the new attributes can take effect" (Clusters API
      ``edit``, databricks-sdk ``compute.ClustersAPI.edit``).  The worker count alone changes
      through ``resize`` on a running cluster (``compute.ClustersAPI.resize``): no restart.

    Serverless (no cluster, no libraries: an environment per run) never restarts; a job cluster
    is created per run and so always starts with the NEW environment.
    """
    from specc.backends import get_backend

    backend = get_backend("databricks")
    rendered = []
    for spec, which in ((old, "OLD"), (new, "NEW")):
        r = backend.render(spec, backend.options_type())
        errors = [d for d in r.diagnostics if d.severity == "error"]
        if errors:
            return RestartReport(
                False,
                None,
                reason=_unrendered(which, "databricks", errors[0]),
            )
        rendered.append(r)
    ro, rn = rendered
    co, cn = _json_file(ro, "cluster.json"), _json_file(rn, "cluster.json")
    if co is None or cn is None:
        if co is None and cn is None:
            return RestartReport(True, None, reason=SERVERLESS)
        return RestartReport(True, True, reasons=["the compute changes between serverless and a classic cluster"])
    reasons: list[str] = []
    for key, what in (
        ("spark_version", "the Databricks Runtime (spark_version)"),
        ("spark_env_vars", "environment variables or secrets (spark_env_vars)"),
        ("spark_conf", "the Spark configuration (spark_conf)"),
        ("init_scripts", "where the init script is (init_scripts)"),
        ("node_type_id", "the node type (node_type_id)"),
        ("data_security_mode", "the access mode (data_security_mode)"),
    ):
        if co.get(key) != cn.get(key):
            if key == "spark_version":
                reasons.append(f"{what} changes: {co.get(key)} → {cn.get(key)}")
            else:
                reasons.append(f"{what} changes")
    if _script_body(ro.files.get("init.sh")) != _script_body(rn.files.get("init.sh")):
        reasons.append("the init script changes (it runs only when the nodes start)")
    uo = {u["remote"]: u for u in _json_file(ro, "uploads.json") or []}
    un = {u["remote"]: u for u in _json_file(rn, "uploads.json") or []}
    init_text = b"".join(x for x in (ro.files.get("init.sh"), rn.files.get("init.sh")) if isinstance(x, bytes))
    for remote in sorted(set(uo) | set(un)):
        a, b = uo.get(remote), un.get(remote)
        if a is not None and b is not None and a["sha256"] == b["sha256"]:
            continue
        kind = (b or a or {}).get("kind", "")
        if kind in ("init-script", "notebook", "python-file"):
            continue
        if remote.encode("utf-8") in init_text:
            reasons.append(f"a file the init script installs changes: {remote}")
    lo = [json.loads(x) for x in sorted({json.dumps(v, sort_keys=True) for v in _libraries(ro)})]
    ln = [json.loads(x) for x in sorted({json.dumps(v, sort_keys=True) for v in _libraries(rn)})]
    old_ids = {_library_identity(x): x for x in lo}
    new_ids = {_library_identity(x): x for x in ln}
    installable = []
    for ident in sorted(set(old_ids) | set(new_ids)):
        a, b = old_ids.get(ident), new_ids.get(ident)
        if a is not None and b is not None:
            path = _library_path(b)
            content_changed = path is not None and _sha(uo, path) != _sha(un, path)
            if a != b or content_changed:
                reasons.append(f"cluster library changed: {_describe_library_change(a, b, content_changed)}")
        elif a is not None:
            reasons.append(f"cluster library removed: {_describe_library(a)}")
        elif b is not None:
            installable.append(_describe_library(b))
    return RestartReport(True, bool(reasons), reasons=reasons, installable=installable)


def _script_body(data: bytes | Path | None) -> list[bytes] | None:
    """An init script's lines less its comments (the header names the dependency hash, which
    changes with any dependency, also one the script does not install): what runs."""
    if not isinstance(data, bytes):
        return None
    return [line for line in data.splitlines() if not line.lstrip().startswith(b"#")]


SERVERLESS = "serverless: no cluster; the NEW environment applies from the next run"


def _unrendered(which: str, target: str, d: Diagnostic) -> str:
    return f"{which} does not render for {target}: [{d.code}] {redact(d.message)}"


def _sha(uploads: Mapping[str, Mapping[str, Any]], remote: str) -> str | None:
    entry = uploads.get(remote)
    return None if entry is None else str(entry.get("sha256"))


def _libraries(rendered: Rendered) -> list[dict[str, Any]]:
    body = _json_file(rendered, "libraries.json") or {}
    return list(body.get("libraries", []))


def _library_path(lib: Mapping[str, Any]) -> str | None:
    body = lib[next(iter(lib))]
    return body if isinstance(body, str) else None


# --- the whole diff ----------------------------------------------------------------------------


@dataclass
class TargetDiff:
    """The changes one target sees, and its own consequences."""

    target: str
    changes: list[Change]
    docker: LayerReport | None = None
    databricks: RestartReport | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"changes": [c.to_dict() for c in self.changes]}
        if self.target == "docker":
            out["layers"] = self.docker.to_dict() if self.docker is not None else None
        if self.target == "databricks":
            out["cluster"] = self.databricks.to_dict() if self.databricks is not None else None
        return out


@dataclass
class DiffResult:
    """The whole comparison; :meth:`to_dict` is the published ``--format json`` shape
    (schemas/specc-diff.schema.json)."""

    old: Side
    new: Side
    changes: list[Change]
    not_compared: list[str]
    targets: dict[str, TargetDiff]

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"path": s.display, "kind": s.kind, "notes": list(s.notes)}

        return {
            "diff-version": 1,
            "old": side(self.old),
            "new": side(self.new),
            "differs": self.differs,
            "not-compared": list(self.not_compared),
            "changes": [c.to_dict() for c in self.changes],
            "targets": {name: t.to_dict() for name, t in self.targets.items()},
        }


def diff_sides(old: Side, new: Side, targets: Iterable[str] | None = None) -> DiffResult:
    """Compare two sides already read; ``targets`` default to those either side implies."""
    changes, not_compared = compare_entries(old, new)
    changes.sort(key=lambda c: (ECOSYSTEMS.index(c.ecosystem), c.name, c.change))
    names = list(targets) if targets is not None else sorted(set(old.implied_targets()) | set(new.implied_targets()))
    names = [t for t in TARGETS if t in names]
    out: dict[str, TargetDiff] = {}
    for target in names:
        td = TargetDiff(target, [c for c in changes if relevant(target, c.field)])
        if old.spec is not None and new.spec is not None:
            if target == "docker":
                td.docker = docker_layers(old.spec, new.spec)
            elif target == "databricks":
                td.databricks = databricks_restart(old.spec, new.spec)
        elif target == "docker":
            td.docker = LayerReport(False, reason="needs a spec (or a model logged by specc) on both sides")
        elif target == "databricks":
            td.databricks = RestartReport(False, None, reason="needs a spec (or a model logged by specc) on both sides")
        out[target] = td
    return DiffResult(old, new, changes, not_compared, out)


def diff(old: str, new: str, targets: Iterable[str] | None = None) -> DiffResult:
    """``specc diff OLD NEW`` as a function: read both sides (:func:`load_side`) and compare them.

    Raises :class:`DiffInputError` when a side cannot be read or is invalid.
    """
    return diff_sides(load_side(old), load_side(new), targets)


# --- text --------------------------------------------------------------------------------------

_SHA = re.compile(r"sha256:([0-9a-f]{12})[0-9a-f]{52}")


def _short(text: str | None) -> str:
    return _SHA.sub(lambda m: f"sha256:{m.group(1)}…", text or "")


def _change_line(c: Change) -> str:
    if c.change == "added":
        return f"  + {c.ecosystem} {c.name} {_short(c.new)}"
    if c.change == "removed":
        return f"  - {c.ecosystem} {c.name} {_short(c.old)}"
    return f"  ~ {c.ecosystem} {c.name} {_short(c.old)} → {_short(c.new)}"


def render_text(result: DiffResult) -> str:
    """The human report: sorted, deterministic, credentials masked (values were masked when read)."""
    lines = [f"--- {result.old.display} ({result.old.kind})", f"+++ {result.new.display} ({result.new.kind})"]
    for s, tag in ((result.old, "old"), (result.new, "new")):
        lines += [f"note ({tag}): {n}" for n in s.notes]
    if result.not_compared:
        lines.append("not compared (one side does not record them): " + ", ".join(result.not_compared))
    if not result.differs:
        lines.append("no differences")
    seen = {c for t in result.targets.values() for c in t.changes}
    other = [c for c in result.changes if c not in seen]
    if other:  # e.g. the Docker base image when only mlflow and databricks are reported
        lines.append("")
        lines.append(f"[other] {len(other)} change{'s' if len(other) != 1 else ''} no reported target uses")
        lines += [_change_line(c) for c in other]
    for name, t in result.targets.items():
        lines.append("")
        lines.append(f"[{name}] {len(t.changes)} change{'s' if len(t.changes) != 1 else ''}")
        lines += [_change_line(c) for c in t.changes]
        if t.docker is not None:
            d = t.docker
            if not d.computed:
                if t.changes:  # with no change there is nothing to rebuild to speak of
                    lines.append(f"  layers: not computed: {d.reason}")
            elif not d.invalidated:
                lines.append(f"  layers: all {d.kept} build steps stay cached")
            else:
                lines.append(f"  layers: {d.kept} build steps stay cached, {len(d.invalidated)} rebuild:")
                lines += [f"    Dockerfile:{s.line} [{s.stage}] {s.summary}" for s in d.invalidated]
        if t.databricks is not None:
            r = t.databricks
            if not r.computed or r.restart is None:
                if t.changes:  # with no change a running cluster has nothing to restart for
                    lines.append(f"  cluster: {r.reason}")
            elif r.restart:
                lines.append("  cluster: restart needed:")
                lines += [f"    - {why}" for why in r.reasons]
            else:
                lines.append("  cluster: no restart needed" + (" (libraries only added)" if r.installable else ""))
            if r.installable:
                lines.append("  installable on the running cluster: " + ", ".join(r.installable))
    return "\n".join(lines) + "\n"


# --- published JSON shape ----------------------------------------------------------------------


def diff_schema() -> dict[str, Any]:
    """JSON Schema of ``specc diff --format json`` (schemas/specc-diff.schema.json)."""
    from specc.schema import BASE_ID, DRAFT

    nullable_str = {"type": ["string", "null"]}
    change = {
        "type": "object",
        "additionalProperties": False,
        "description": "One difference between OLD and NEW.",
        "required": ["ecosystem", "name", "change", "old", "new"],
        "properties": {
            "ecosystem": {"enum": list(ECOSYSTEMS), "description": "Which kind of dependency or setting."},
            "name": {
                "type": "string",
                "description": "The package (canonical name, `; marker` when it has one), path, variable or key.",
                "examples": ["scikit-learn", "libgomp1", "org.xerial:sqlite-jdbc", "python"],
            },
            "change": {"enum": ["added", "removed", "changed"]},
            "old": {**nullable_str, "description": "OLD's value as shown (null when added); credentials masked."},
            "new": {**nullable_str, "description": "NEW's value as shown (null when removed); credentials masked."},
        },
    }
    step = {
        "type": "object",
        "additionalProperties": False,
        "required": ["stage", "instruction", "line", "summary"],
        "properties": {
            "stage": {"type": "string", "description": "The build stage (`final`, or its `AS` name)."},
            "instruction": {"type": "string", "examples": ["COPY", "RUN"]},
            "line": {"type": "integer", "minimum": 1, "description": "First line in NEW's Dockerfile."},
            "summary": {"type": "string", "description": "The instruction, shortened; ENV shows names only."},
        },
    }
    layers = {
        "type": ["object", "null"],
        "additionalProperties": False,
        "description": "docker only: the build steps a rebuild of NEW reuses from OLD's cache.",
        "required": ["computed", "reason", "kept", "invalidated"],
        "properties": {
            "computed": {"type": "boolean", "description": "False when a side does not render for Docker."},
            "reason": {**nullable_str, "description": "Why not computed."},
            "kept": {"type": "integer", "minimum": 0, "description": "Steps of NEW that stay cached."},
            "invalidated": {
                "type": "array",
                "items": step,
                "description": "Steps of NEW rebuilt: in each stage the first changed step and all after it.",
            },
        },
    }
    cluster = {
        "type": ["object", "null"],
        "additionalProperties": False,
        "description": "databricks only: whether a running all-purpose cluster must restart.",
        "required": ["computed", "restart", "reasons", "installable", "reason"],
        "properties": {
            "computed": {"type": "boolean"},
            "restart": {
                "type": ["boolean", "null"],
                "description": "null when there is no cluster (serverless) or it cannot be told.",
            },
            "reasons": {"type": "array", "items": {"type": "string"}, "description": "Each change needing a restart."},
            "installable": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Libraries only added: they install on the running cluster.",
            },
            "reason": {**nullable_str, "description": "Why restart is null, or why not computed."},
        },
    }
    side = {
        "type": "object",
        "additionalProperties": False,
        "required": ["path", "kind", "notes"],
        "properties": {
            "path": {
                "type": "string",
                "description": "As given on the command line (a spec folder: its model-env.toml).",
            },
            "kind": {"enum": ["spec", "lock", "model"]},
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    }
    target = {
        "type": "object",
        "additionalProperties": False,
        "required": ["changes"],
        "properties": {
            "changes": {"type": "array", "items": {"$ref": "#/$defs/change"}},
            "layers": {"$ref": "#/$defs/layers"},
            "cluster": {"$ref": "#/$defs/cluster"},
        },
    }
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}/specc-diff.schema.json",
        "title": "specc diff --format json",
        "description": "What changes between two environments (specs, locks, logged models), per target (specc diff).",
        "type": "object",
        "additionalProperties": False,
        "required": ["diff-version", "old", "new", "differs", "not-compared", "changes", "targets"],
        "properties": {
            "diff-version": {"const": 1, "description": "Version of this shape; 1."},
            "old": {"$ref": "#/$defs/side"},
            "new": {"$ref": "#/$defs/side"},
            "differs": {"type": "boolean", "description": "True when any change was found (exit code 1)."},
            "not-compared": {
                "type": "array",
                "items": {"enum": list(ECOSYSTEMS)},
                "description": "Ecosystems one side's kind does not record (a lock has no env), so not compared.",
            },
            "changes": {
                "type": "array",
                "items": {"$ref": "#/$defs/change"},
                "description": "Every change, sorted by ecosystem then name.",
            },
            "targets": {
                "type": "object",
                "additionalProperties": False,
                "properties": {name: {"$ref": "#/$defs/target"} for name in TARGETS},
                "description": "The changes each target sees (its capability table does not ignore them).",
            },
        },
        "$defs": {"change": change, "step": step, "layers": layers, "cluster": cluster, "side": side, "target": target},
    }


def schema_text() -> str:
    """The committed file's bytes."""
    return json.dumps(diff_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path() -> Path:
    from specc.resources import schemas_dir

    return Path(schemas_dir("specc-diff.schema.json"))


def _register() -> None:
    """Publish the schema through ``specc schema`` (and its ``--check``)."""
    import specc.schema

    specc.schema.register("specc-diff.schema.json", diff_schema)


_register()
