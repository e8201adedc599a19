"""Drift between a spec and a logged model (``specc check --model``) or this Python (``specc check --env``).

What a logged model *should* hold is computed with the same compiler the logger uses
(:func:`specc.mlflow.compile_mlflow` for the logged flavor), then diffed against the model's files:

* ``requirements.txt`` (and ``constraints.txt``): every line the compiler emits must be there,
  PEP 440-aware (``pandas==2.2`` equals ``pandas==2.2.0``); MLflow's own ``mlflow==`` pin and the
  flavor's default requirements (added on purpose at log time) are not drift; in ``extra`` mode
  MLflow infers requirements, so other packages are expected;
* code paths, wheels, private packages and artifacts: sha256 of every file of each tree;
* ``specc-environment.json``: the non-Python sections (runtime, apt, maven, r, env, secrets,
  model, targets) against the artifact the compiler builds;
* the Python version (``python_env.yaml``, MLmodel ``python_version``) and MLmodel's
  ``databricks_runtime`` against ``[runtime]``;
* hazards (docs/mlflow.md): a ``uv.lock`` / ``pyproject.toml`` in the model folder replaces
  ``requirements.txt`` at serve time; absolute local paths in ``requirements.txt`` do not exist
  where the model is served.

Only ``MLmodel`` and small text files are read, and MLflow is imported only when needed (a
``models:/`` URI, or to tell the flavor's default requirements from extra ones).

Every finding is a :class:`specc.diagnostics.Diagnostic` (codes SPC5xx, docs/check.md) reported
through the same path as validation's: ``path`` is the spec entry concerned (its normalized path,
e.g. ``python.requirements[3]``; empty when the model has something the spec lacks), ``file`` and
``span`` the model file and line it is about (``requirements.txt`` line 3), ``expected``/``actual``
the two sides of the comparison.  ``display`` arguments name files as the user gave them (the model
URI or folder, the spec and lock paths); without one, a model's files are named by their path
inside the model.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from specc.diagnostics import Diagnostic, Severity, Span, TomlPath, env_value_is_credential, mask_value
from specc.filetree import tree_paths
from specc.hashing import sha256_file
from specc.spec import EnvSpec, Req

if TYPE_CHECKING:
    from specc.mlmodel import MLmodel

__all__ = ["CheckError", "DriftReport", "check_env", "check_model", "model_report", "tree_digest"]

# MLflow adds these itself; never drift.
_MLFLOW_OWN = frozenset({"mlflow", "mlflow-skinny"})
_ARTIFACT_SECTIONS = ("model", "runtime", "apt", "maven", "r", "env", "secrets", "targets")


class CheckError(Exception):
    """The check cannot run (no such model, unreadable files); the message is for the user."""


@dataclass
class DriftReport:
    """What :func:`model_report` found: the diagnostics, and the text of the model files they
    point into (file name as in the diagnostics → text) so they can be shown with an excerpt."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


# --- helpers ---------------------------------------------------------------------------------


def _canon(name: str) -> str:
    return str(canonicalize_name(name))


def tree_digest(path: Path, confine: Path | None = None) -> dict[str, str]:
    """Relative POSIX path → sha256 for every file under ``path`` that counts (a file maps ``""``).

    Files the file-tree policy leaves out (:mod:`specc.filetree`: VCS folders, caches,
    ``.DS_Store``...) are on neither side, so they are never drift; nor are symlinks leading
    out of ``confine`` (the repository root, or the model folder; None: ``path`` itself).
    """
    if path.is_file():
        return {"": sha256_file(path)}
    return {rel: sha256_file(full) for rel, full in tree_paths(path, confine=confine)}


def _read_yaml(path: Path) -> Any:
    """A small YAML file of the model other than MLmodel (``python_env.yaml``), parsed."""
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise CheckError(f"{path}: unreadable YAML: {exc}") from exc


def _read_mlmodel(model_dir: Path) -> MLmodel:
    """The model's MLmodel (:mod:`specc.mlmodel`); :class:`CheckError` when it is missing or malformed."""
    from specc.mlmodel import MLmodelError, read_mlmodel

    try:
        return read_mlmodel(model_dir)
    except MLmodelError as exc:
        raise CheckError(str(exc)) from None


def _python_matches(spec_python: str, actual: str) -> bool:
    """``3.11`` matches any 3.11.x; ``3.11.9`` only 3.11.9."""
    want = spec_python.split(".")
    got = str(actual).split(".")
    return got[: len(want)] == want


def _req_lines(text: str) -> list[tuple[int, str]]:
    return [(span.line, line) for span, line in _req_spans(text)]


def _req_spans(text: str) -> list[tuple[Span, str]]:
    """The requirement lines of a requirements file (comments dropped), each with its span."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#"):
            continue
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line:
            col = raw.index(line[0]) + 1
            out.append((Span(n, col, n, col + len(line)), line))
    return out


def _parse(line: str) -> Requirement | None:
    if line.startswith("-"):
        return None
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def _spec_equal(a: str, b: str) -> bool:
    """PEP 440-aware: ``==2.2`` equals ``==2.2.0``; ``<3,>=2`` equals ``>=2,<3``."""
    try:
        sa, sb = list(SpecifierSet(a)), list(SpecifierSet(b))
    except InvalidSpecifier:
        return a == b
    if len(sa) != len(sb):
        return False

    def key(s: Any) -> tuple[Any, ...]:
        try:
            return (s.operator, Version(s.version.replace(".*", "")), s.version.endswith(".*"))
        except InvalidVersion:
            return (s.operator, s.version)

    return sorted(map(key, sa), key=str) == sorted(map(key, sb), key=str)


def _at_locked(got: Requirement, locked: Mapping[str, str]) -> bool:
    """``got`` is an exact pin at the locked version of its package."""
    want = locked.get(_canon(got.name))
    clauses = list(got.specifier)
    if want is None or got.url or len(clauses) != 1 or clauses[0].operator not in ("==", "==="):
        return False
    return _canon_version(clauses[0].version) == _canon_version(want)


def _admits(r: Requirement, version: str) -> bool:
    try:
        return r.specifier.contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False


def _req_text(r: Requirement) -> str:
    return str(r)


def _marker_key(r: Requirement) -> str:
    return str(r.marker) if r.marker else ""


# --- requirements -----------------------------------------------------------------------------


def _compare_requirements(
    expected_lines: Iterable[str],
    actual_text: str,
    file: str,
    *,
    mode: str,
    allowed_extra: frozenset[str] | None,
    flavor: str | None,
    locked: Mapping[str, str] | None = None,
    spec_paths: Mapping[str, TomlPath] | None = None,
) -> list[Diagnostic]:
    """Diff the lines the compiler emits with a model's requirements file named ``file``.

    ``spec_paths`` maps a canonical package name to the spec entry requiring it (the path of a
    diagnostic about that package).
    """
    out: list[Diagnostic] = []
    locked = locked or {}
    spec_paths = spec_paths or {}
    actual = _req_spans(actual_text)
    actual_named: dict[tuple[str, str], tuple[Span, Requirement]] = {}
    actual_other: dict[str, Span] = {}
    for span, line in actual:
        r = _parse(line)
        if r is None:
            actual_other[line] = span
        else:
            actual_named.setdefault((_canon(r.name), _marker_key(r)), (span, r))
    seen: set[tuple[str, str]] = set()
    for line in expected_lines:
        r = _parse(line)
        if r is None:
            if line.startswith("-c "):
                # the files are compared one to one; here only that requirements.txt still applies them
                if not any(other.startswith("-c ") for other in actual_other):
                    out.append(
                        Diagnostic.error(
                            "SPC505",
                            message=f"`{line}` is missing: the spec's constraints are not applied when it installs",
                            path=("python", "constraints"),
                            file=file,
                            expected=line,
                        )
                    )
                continue
            if line not in actual_other:
                out.append(Diagnostic.error("SPC504", message=f"`{line}` is missing", file=file, expected=line))
            else:
                actual_other.pop(line)
            continue
        key = (_canon(r.name), _marker_key(r))
        seen.add(key)
        hit = actual_named.get(key)
        path = spec_paths.get(key[0], ())
        if hit is None:
            out.append(
                Diagnostic.error(
                    "SPC501",
                    message=f"{r.name}: the spec requires `{line}`, the model does not list it",
                    path=path,
                    file=file,
                    expected=line,
                )
            )
            continue
        span, got = hit
        same = (
            (got.url or None) == (r.url or None)
            and _spec_equal(str(got.specifier), str(r.specifier))
            and {_canon(e) for e in got.extras} == {_canon(e) for e in r.extras}
        )
        if not same and _at_locked(got, locked) and _admits(r, locked[key[0]]):
            continue  # logged with the lock's exact pin (--locked), which the spec allows
        if not same:
            lock_note = f"; the lock has =={locked[key[0]]}" if key[0] in locked else ""
            out.append(
                Diagnostic.error(
                    "SPC502",
                    message=f"{r.name}: the spec requires `{line}`, the model has `{_req_text(got)}`{lock_note}",
                    path=path,
                    file=file,
                    span=span,
                    expected=line,
                    actual=_req_text(got),
                )
            )
    extras = [(k, v) for k, v in actual_named.items() if k not in seen and k[0] not in _MLFLOW_OWN]
    if extras and mode != "extra":
        allowed = allowed_extra
        for (name, _), (span, got) in extras:
            if name in locked:
                if not _at_locked(got, locked) and not _admits(got, locked[name]):
                    out.append(
                        Diagnostic.error(
                            "SPC562",
                            message=f"{got.name}: the model requires `{_req_text(got)}`, "
                            f"the lock has {name}=={locked[name]}",
                            path=spec_paths.get(name, ()),
                            file=file,
                            span=span,
                            expected=f"{name}=={locked[name]}",
                            actual=_req_text(got),
                        )
                    )
                continue
            if allowed is not None and name in allowed:
                continue
            sev: Severity = "error" if allowed is not None else "warning"
            why = "" if allowed is not None else f" (cannot tell the {flavor} flavor's default requirements here)"
            out.append(
                Diagnostic.create(
                    "SPC503",
                    severity=sev,
                    message=f"{got.name}: the model requires `{_req_text(got)}`, the spec does not{why}",
                    file=file,
                    span=span,
                    actual=_req_text(got),
                )
            )
    for line, span in actual_other.items():
        if line.startswith("-c ") or (mode == "extra" and not line.startswith("-")):
            continue
        out.append(
            Diagnostic.error("SPC504", message=f"`{line}` is not in the spec", file=file, span=span, actual=line)
        )
    return out


def _hazards(model_dir: Path, req_text: str | None, at: Any) -> list[Diagnostic]:
    """``at(name)`` names a model file as the diagnostics show it."""
    out = []
    for name in ("uv.lock", "pyproject.toml"):
        if (model_dir / name).exists():
            out.append(
                Diagnostic.error(
                    "SPC540",
                    message=f"{name} in the model folder: MLflow serves from it (uv sync) instead of requirements.txt",
                    hint=f"log the model from a folder without {name}, or delete it from the model",
                    file=at(name),
                    actual=name,
                )
            )
    for span, line in _req_spans(req_text or ""):
        body = line.split(" ", 1)[1].strip() if line.startswith(("-c ", "-r ")) else line
        body = body.split("@", 1)[1].strip() if "@" in body and not body.startswith(("-", "/")) else body
        if body.startswith(("/", "file:")) or re.match(r"^[A-Za-z]:[\\/]", body):
            out.append(
                Diagnostic.error(
                    "SPC541",
                    message=f"`{line}` is an absolute local path: it does not exist where the model is served",
                    file=at("requirements.txt"),
                    span=span,
                    actual=line,
                )
            )
    return out


# --- model ----------------------------------------------------------------------------------


# Names (never versions) of what ``mlflow.<flavor>.get_default_pip_requirements()`` can return,
# every option included (MLflow 3.x), so a check need not import MLflow (~2-5 s) for the common
# flavors.  Only flavors that tests/test_check.py proves against MLflow itself (their libraries
# are dev dependencies) are listed; every other flavor asks MLflow.
FLAVOR_DEFAULT_NAMES: dict[str, frozenset[str]] = {
    "pyfunc": frozenset({"cloudpickle"}),
    "sklearn": frozenset({"scikit-learn", "cloudpickle", "skops"}),
    "lightgbm": frozenset({"lightgbm", "cloudpickle", "skops"}),
    "statsmodels": frozenset({"statsmodels"}),
}


def _flavor_default_names(flavor: str, mlmodel: MLmodel) -> frozenset[str] | None:
    known = FLAVOR_DEFAULT_NAMES.get("pyfunc" if flavor == "python_function" else flavor)
    if known is not None:
        return known
    from specc.mlflow import FlavorError, flavor_default_requirements

    logged = mlmodel.flavor(flavor)
    fmt = logged.get("serialization_format") if logged is not None else None
    try:
        lines = flavor_default_requirements(flavor, serialization_format=fmt)
    except FlavorError:
        return None
    names = set()
    for line in lines:
        r = _parse(line)
        if r is not None:
            names.add(_canon(r.name))
    return frozenset(names)


def _compare_tree(
    src: Path,
    dst: Path,
    subject: str,
    codes: tuple[str, str],
    *,
    path: TomlPath,
    file: str,
    roots: tuple[Path | None, Path | None] = (None, None),
) -> list[Diagnostic]:
    """The spec's ``src`` (file or folder) against the model's copy ``dst`` (named ``file``)."""
    missing_code, changed_code = codes
    if not dst.exists():
        return [
            Diagnostic.error(
                missing_code, message=f"{subject} is missing from the model", path=path, file=file, expected=subject
            )
        ]
    if not src.exists():
        return []  # the spec's validation reports missing local files
    a, b = tree_digest(src, roots[0]), tree_digest(dst, roots[1])  # (repository root, model folder)
    if a == b:
        return []
    changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
    only_spec = sorted(a.keys() - b.keys())
    only_model = sorted(b.keys() - a.keys())
    parts = []
    if changed:
        parts.append("changed: " + ", ".join(c or src.name for c in changed))  # "": the file itself
    if only_spec:
        parts.append("not in the model: " + ", ".join(only_spec))
    if only_model:
        parts.append("only in the model: " + ", ".join(only_model))
    return [
        Diagnostic.error(
            changed_code, message=f"{subject} differs from the model's copy ({'; '.join(parts)})", path=path, file=file
        )
    ]


def _describe(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _item_key(item: Any) -> str:
    if isinstance(item, dict):
        for k in ("name", "coordinates", "path"):
            if k in item:
                return str(item[k])
    return _describe(item)


def _diff_values(path: TomlPath, want: Any, got: Any, out: list[tuple[TomlPath, str, Any, Any]]) -> None:
    """Append (path, what differs, the spec's value, the model's value) for every difference."""
    if want == got:
        return
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            _diff_values((*path, k), want.get(k), got.get(k), out)
        return
    if isinstance(want, list) and isinstance(got, list):
        w = {_item_key(i): i for i in want}
        g = {_item_key(i): i for i in got}
        if len(w) == len(want) and len(g) == len(got):
            for k in sorted(w.keys() - g.keys()):
                out.append((path, f"{k!s}: in the spec, not in the model", w[k], None))
            for k in sorted(g.keys() - w.keys()):
                out.append((path, f"{k!s}: in the model, not in the spec", None, g[k]))
            for k in sorted(w.keys() & g.keys()):
                if w[k] != g[k]:
                    _diff_values((*path, k), w[k], g[k], out)
            return
    out.append((path, f"the spec has {_describe(want)}, the model has {_describe(got)}", want, got))


def _credential_env(name: str, *values: Any) -> bool:
    """Whether an ``[env]`` entry with any of these values is a credential (both sides are masked then)."""
    return any(isinstance(v, str) and env_value_is_credential(name, v) for v in values)


def _compare_artifact(expected: dict[str, Any], actual: dict[str, Any], file: str) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for section in _ARTIFACT_SECTIONS:
        diffs: list[tuple[TomlPath, str, Any, Any]] = []
        want, got = expected.get(section), actual.get(section)
        if section in ("apt", "maven", "r"):  # private packages are compared by content elsewhere
            want = {k: v for k, v in (want or {}).items() if k not in ("debs", "jars", "sources")}
            got = {k: v for k, v in (got or {}).items() if k not in ("debs", "jars", "sources")}
        _diff_values((section,), want, got, diffs)
        for path, text, w, g in diffs:
            if section == "env" and len(path) == 2 and _credential_env(str(path[1]), w, g):
                # a credential-looking value: say that it differs, never what it is
                w, g = (None if v is None else mask_value(str(v)) for v in (w, g))
                text = f"the spec has {_describe(w)}, the model has {_describe(g)}"
            out.append(
                Diagnostic.error(
                    "SPC521",
                    message=text,
                    path=path,
                    file=file,
                    expected=None if w is None else _describe(w),
                    actual=None if g is None else _describe(g),
                )
            )
    return out


def check_model(
    spec: EnvSpec,
    model: str | os.PathLike[str],
    *,
    flavor: str | None = None,
    lock: Any = None,
    display: str | None = None,
) -> list[Diagnostic]:
    """Every difference between ``spec`` and the logged model at ``model`` (folder or URI).

    The diagnostics of :func:`model_report`; raises :class:`CheckError` when the model cannot be read.
    """
    return model_report(spec, model, flavor=flavor, lock=lock, display=display).diagnostics


def _requirement_paths(spec: EnvSpec) -> dict[str, TomlPath]:
    """Canonical name → the first spec entry requiring it (requirements, then constraints)."""
    out: dict[str, TomlPath] = {}
    for i, req in enumerate(spec.python.requirements):
        out.setdefault(_canon(req.name), ("python", "requirements", i))
    return out


def _constraint_paths(spec: EnvSpec) -> dict[str, TomlPath]:
    out: dict[str, TomlPath] = {}
    for i, line in enumerate(spec.python.constraints):
        r = _parse(str(line))
        if r is not None:
            out.setdefault(_canon(r.name), ("python", "constraints", i))
    return out


def model_report(
    spec: EnvSpec,
    model: str | os.PathLike[str],
    *,
    flavor: str | None = None,
    lock: Any = None,
    display: str | None = None,
    mlmodel: MLmodel | None = None,
) -> DriftReport:
    """Every difference between ``spec`` and the logged model at ``model`` (folder or URI).

    ``flavor`` is the flavor the model was logged with (default: read from its MLmodel).
    ``lock`` (a :class:`specc.lockfile.LockFile`) adds the lock's view: a requirement pinned at
    the locked version is accepted (a model logged ``--locked``), and a package the lock pins at
    another version is drift (SPC562).  Staleness is :func:`check_lock`'s business.
    ``display`` names the model in each diagnostic's ``file`` (``models:/churn/3`` →
    ``models:/churn/3/requirements.txt``); default: files are named by their path in the model.
    ``mlmodel`` is the model's MLmodel when the caller has read it already (``specc render --model``).
    Raises :class:`CheckError` when the model cannot be read.
    """
    locked = _locked_versions(lock)
    from specc.envartifact import (
        ARTIFACT_FILE,
        PACKAGES_KEY,
        FromModelError,
        build_artifact,
        find_artifact,
        in_model_paths,
        layout_for_flavor,
        package_rel,
        resolve_model_dir,
    )
    from specc.mlflow import CONSTRAINTS_FILE, compile_mlflow

    prefix = str(display).rstrip("/") + "/" if display else ""

    def at(rel: str) -> str:
        return prefix + rel

    try:
        model_dir = resolve_model_dir(model)
    except FromModelError as exc:
        raise CheckError(str(exc)) from None
    mlmodel = mlmodel or _read_mlmodel(model_dir)
    flavor = flavor or mlmodel.logged_flavor
    compiled = compile_mlflow(spec, flavor)
    layout = layout_for_flavor(flavor)
    report = DriftReport()
    found = report.diagnostics

    # requirements
    req_path = model_dir / "requirements.txt"
    req_text = req_path.read_text(encoding="utf-8") if req_path.is_file() else None
    if req_text is None:
        found.append(
            Diagnostic.error(
                "SPC542",
                message="the model has no requirements.txt (logged without pip requirements?)",
                file=at("requirements.txt"),
            )
        )
    else:
        report.sources[at("requirements.txt")] = req_text
        named = {_canon(r.name) for r in map(_parse, (line for _, line in _req_lines(req_text))) if r is not None}
        spec_names = {r.name for r in spec.python.requirements}
        unexplained = named - spec_names - _MLFLOW_OWN - set(locked)
        allowed: frozenset[str] | None = frozenset()
        if unexplained and compiled.mode != "extra":
            allowed = _flavor_default_names(flavor, mlmodel)
        found += _compare_requirements(
            compiled.pip_lines,
            req_text,
            at("requirements.txt"),
            mode=compiled.mode,
            allowed_extra=allowed,
            flavor=flavor,
            locked=locked,
            spec_paths=_requirement_paths(spec),
        )
    cons_path = model_dir / CONSTRAINTS_FILE
    want_cons = list(compiled.constraint_lines)
    cons_text = cons_path.read_text(encoding="utf-8") if cons_path.is_file() else ""
    if want_cons or cons_text:
        if cons_text:
            report.sources[at(CONSTRAINTS_FILE)] = cons_text
        found += [
            replace(d, code="SPC505")  # every difference in constraints.txt is one code
            for d in _compare_requirements(
                want_cons,
                cons_text,
                at(CONSTRAINTS_FILE),
                mode="exact",
                allowed_extra=frozenset(),
                flavor=None,
                spec_paths=_constraint_paths(spec),
            )
        ]

    # code, wheels, private packages, artifacts
    base = Path(spec.base_dir) if spec.base_dir else None
    places = in_model_paths(spec, layout)
    recorded_pkgs = mlmodel.artifact(PACKAGES_KEY)
    if base is not None:
        from specc.paths import repository_root

        root = repository_root(base)
        trees: list[tuple[str, str, str, TomlPath, tuple[str, str]]] = []  # spec path, in model, subject, path, codes
        for i, code_ref in enumerate(spec.code.paths):
            trees.append(
                (code_ref.path, places[code_ref.path], code_ref.path, ("code", "paths", i), ("SPC510", "SPC511"))
            )
        for i, wheel in enumerate(spec.python.wheels):
            trees.append((wheel.path, places[wheel.path], wheel.path, ("python", "wheels", i), ("SPC514", "SPC515")))
        for section, key, refs in (
            ("apt", "debs", spec.apt.debs),
            ("maven", "jars", spec.maven.jars),
            ("r", "sources", spec.r.sources),
        ):
            for i, f in enumerate(refs):
                dst = places[f.path]
                if recorded_pkgs and not (model_dir / dst).exists():
                    dst = f"{recorded_pkgs}/{package_rel(f.path)}"
                trees.append((f.path, dst, f.path, (section, key, i), ("SPC514", "SPC515")))
        for key, ref in spec.artifacts.items():
            dst = mlmodel.artifact(key) or places[f"artifacts:{key}"]
            trees.append((ref.path, dst, f"artifacts.{key} ({ref.path})", ("artifacts", key), ("SPC512", "SPC513")))
        for src, dst, subject, path, codes in trees:
            found += _compare_tree(
                base / src, model_dir / dst, subject, codes, path=path, file=at(dst), roots=(root, model_dir)
            )

    # the non-Python environment
    art_path = find_artifact(model_dir, mlmodel)
    if art_path is None:
        found.append(
            Diagnostic.error(
                "SPC520",
                message=f"the model has no {ARTIFACT_FILE}: its apt, Maven, R, env and runtime needs are unrecorded",
                hint="log the model with specc.mlflow.log_model_kwargs(spec) (or specc.mlflow.log_model)",
                file=at(ARTIFACT_FILE),
            )
        )
    else:
        try:
            actual = json.loads(art_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise CheckError(f"{art_path}: not JSON: {exc}") from None
        expected = json.loads(compiled.files[ARTIFACT_FILE]) if ARTIFACT_FILE in compiled.files else {}
        if not expected:  # pragma: no cover - the compiler always writes it
            from specc.envartifact import artifact_text

            expected = json.loads(artifact_text(build_artifact(spec, layout)))
        found += _compare_artifact(expected, actual, at(art_path.relative_to(model_dir).as_posix()))

    # Python version and Databricks Runtime
    want_py = spec.runtime.python
    py_env_path = model_dir / "python_env.yaml"
    if py_env_path.is_file():
        py_env = _read_yaml(py_env_path) or {}
        got_py = str(py_env.get("python", "")) if isinstance(py_env, dict) else ""
        if got_py and not _python_matches(want_py, got_py):
            found.append(
                Diagnostic.error(
                    "SPC530",
                    message=f"the model was logged for Python {got_py}, the spec's runtime.python is {want_py}",
                    path=("runtime", "python"),
                    file=at("python_env.yaml"),
                    expected=want_py,
                    actual=got_py,
                )
            )
    got_mm = mlmodel.python_version
    if got_mm and not _python_matches(want_py, got_mm):
        found.append(
            Diagnostic.error(
                "SPC531",
                message=f"MLmodel records python_version {got_mm}, the spec's runtime.python is {want_py}",
                path=("runtime", "python"),
                file=at("MLmodel"),
                expected=want_py,
                actual=got_mm,
            )
        )
    found += _compare_databricks(spec, mlmodel.databricks_runtime, at("MLmodel"))
    found += _hazards(model_dir, req_text, at)
    return report


def _dbr_version(key: str) -> str | None:
    m = re.match(r"^\s*(\d+)\.(\d+)", key)
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _compare_databricks(spec: EnvSpec, recorded: str | None, file: str) -> list[Diagnostic]:
    """MLmodel's ``databricks_runtime`` (``recorded``, in the model file ``file``) against ``runtime.databricks``."""
    want = spec.runtime.databricks
    if not recorded:
        return []
    got = recorded
    if want is None:
        return [
            Diagnostic.warning(
                "SPC533",
                message=f"the model was logged on Databricks Runtime {got}, the spec names no runtime.databricks",
                path=("runtime", "databricks"),
                file=file,
                actual=got,
            )
        ]
    w, g = _dbr_version(want), _dbr_version(got)
    same = want.split("-")[0] == got.split("-")[0] if w is None or g is None else w == g
    if same:
        return []
    return [
        Diagnostic.error(
            "SPC532",
            message=f"the model was logged on Databricks Runtime {got}, the spec's runtime.databricks is {want}",
            path=("runtime", "databricks"),
            file=file,
            expected=want,
            actual=got,
        )
    ]


# --- this Python environment ----------------------------------------------------------------


def _marker_ok(req: Req) -> bool:
    if not req.markers:
        return True
    from packaging.markers import Marker

    return bool(Marker(req.markers).evaluate())


def check_env(
    spec: EnvSpec,
    installed: Mapping[str, str] | None = None,
    *,
    lock: Any = None,
    display: str | None = None,
    lock_display: str = "model-env.lock",
) -> list[Diagnostic]:
    """Every requirement of ``spec`` this Python does not satisfy, every constraint an installed
    package is outside of (a constraint of a package that is not installed asks for nothing), and
    a Python version mismatch.

    ``installed`` maps canonical names to versions (default: this interpreter's).  With ``lock``,
    also every locked package this Python lacks or has at another version (:func:`check_env_lock`),
    except those already reported against the spec.  ``display`` names the spec file and
    ``lock_display`` the lock in the diagnostics.
    """
    from specc.pin import installed_versions

    versions = dict(installed) if installed is not None else installed_versions()
    out: list[Diagnostic] = []
    reported: set[str] = set()
    here = ".".join(map(str, sys.version_info[:3]))
    if not _python_matches(spec.runtime.python, here):
        out.append(
            Diagnostic.error(
                "SPC552",
                message=f"this is Python {here}, the spec's runtime.python is {spec.runtime.python}",
                path=("runtime", "python"),
                file=display,
                expected=spec.runtime.python,
                actual=here,
            )
        )
    for i, req in enumerate(spec.python.requirements):
        path = ("python", "requirements", i)
        if not _marker_ok(req):
            continue
        got = versions.get(req.name)
        if got is None:
            reported.add(req.name)
            out.append(
                Diagnostic.error(
                    "SPC550",
                    message=f"{req.name}: not installed; the spec requires `{req.line}`",
                    path=path,
                    file=display,
                    expected=req.line,
                )
            )
            continue
        if req.url or not req.specifier:
            continue
        if not _satisfies(req.specifier, got):
            reported.add(req.name)
            out.append(
                Diagnostic.error(
                    "SPC551",
                    message=f"{req.name}: {got} is installed, the spec requires `{req.line}`",
                    path=path,
                    file=display,
                    expected=req.line,
                    actual=got,
                )
            )
    # a constraint does not ask for a package, it bounds the version of one that is installed
    for i, req in enumerate(spec.python.constraints):
        got = versions.get(req.name)
        if got is None or req.name in reported or not _marker_ok(req) or req.url or not req.specifier:
            continue
        if not _satisfies(req.specifier, got):
            reported.add(req.name)
            out.append(
                Diagnostic.error(
                    "SPC551",
                    message=f"{req.name}: {got} is installed, the spec's constraint is `{req.line}`",
                    path=("python", "constraints", i),
                    file=display,
                    expected=req.line,
                    actual=got,
                )
            )
    for i, wheel in enumerate(spec.python.wheels):
        name, version = wheel.project, wheel.version
        got = versions.get(name)
        path = ("python", "wheels", i)
        if got is None:
            reported.add(name)
            out.append(
                Diagnostic.error(
                    "SPC550",
                    message=f"{name}: not installed; the spec ships {wheel.path}",
                    path=path,
                    file=display,
                    expected=version,
                )
            )
        elif _canon_version(got) != _canon_version(version):
            reported.add(name)
            out.append(
                Diagnostic.error(
                    "SPC553",
                    message=f"{name}: {got} is installed, the spec ships {wheel.path} ({version})",
                    path=path,
                    file=display,
                    expected=version,
                    actual=got,
                )
            )
    if lock is not None:
        out += check_env_lock(lock, versions, display=lock_display, skip=frozenset(reported))
    return out


def _canon_version(v: str) -> str:
    try:
        return str(Version(v))
    except InvalidVersion:
        return v


# --- the lock ---------------------------------------------------------------------------------


def _locked_versions(lock: Any) -> dict[str, str]:
    """Canonical name → locked version (first locked platform; URL and local-wheel entries left out)."""
    if lock is None:
        return {}
    return {_canon(p.name): p.version for p in lock.python_packages() if p.version and not p.url and not p.path}


def find_lock(spec: EnvSpec) -> Path | None:
    """``model-env.lock`` next to the spec, when there is one."""
    if not spec.spec_path:
        return None
    from specc.lockfile import lock_path_for

    path = lock_path_for(spec.spec_path)
    return path if path.is_file() else None


def check_lock(spec: EnvSpec, path: Path, *, display: str | None = None) -> tuple[Any, list[Diagnostic]]:
    """Read the lock at ``path``: (the lock or None, diagnostics: unreadable SPC612, stale SPC613).

    The lock's own codes, as ``specc lock --check`` and ``--locked`` report them: one condition,
    one code (``specc check`` used SPC560/SPC561 for the same two; those are retired).
    ``display`` names the lock in the diagnostics (default: its file name).
    """
    from specc.lockfile import LockError, read_lock, stale_parts
    from specc.lockfile import check_lock as lock_check

    name = display or path.name
    try:
        lock = read_lock(path)
    except LockError as exc:
        return None, [Diagnostic.error("SPC612", message=str(exc), file=name, hint="run `specc lock` to rewrite it")]
    stale = lock_check(lock, spec, path.name)  # what `specc lock --check` says, platforms included
    if stale is not None:
        parts = stale_parts(lock, spec, platforms=True)
        return lock, [
            Diagnostic.error("SPC613", message=str(stale), file=name, hint=stale.hint, actual=",".join(parts))
        ]
    return lock, []


def check_env_lock(
    lock: Any,
    installed: Mapping[str, str] | None = None,
    *,
    display: str = "model-env.lock",
    skip: frozenset[str] = frozenset(),
) -> list[Diagnostic]:
    """Every locked package (first locked platform) this Python lacks or has at another version.

    Packages named in ``skip`` (canonical names already reported) are left out.
    """
    from specc.pin import installed_versions

    versions = dict(installed) if installed is not None else installed_versions()
    out = []
    for name, want in sorted(_locked_versions(lock).items()):
        got = versions.get(name)
        if name in skip or (got is not None and _canon_version(got) == _canon_version(want)):
            continue
        have = "not installed" if got is None else f"{got} is installed"
        out.append(
            Diagnostic.error(
                "SPC563",
                message=f"{name}: {have}, the lock has {name}=={want}",
                file=display,
                expected=f"{name}=={want}",
                actual=got,
            )
        )
    return out


def _satisfies(specifier: str, version: str) -> bool:
    """Whether installed ``version`` meets ``specifier`` (pre-releases count; a version PEP 440
    cannot read does not)."""
    try:
        return SpecifierSet(specifier).contains(Version(version), prereleases=True)
    except InvalidVersion:
        return False
