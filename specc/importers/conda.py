"""The ``conda`` importer: a conda ``environment.yml`` (also MLflow's ``conda.yaml``).

What goes where (conda's environment file format,
https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html):

- ``dependencies: [python=3.11]`` → ``runtime.python`` (major.minor);
- the ``pip:`` list → the pip converter (:func:`specc.importers.requirements.requirement_lines`,
  ``-r`` files relative to the environment file, as conda runs pip there);
- every other conda package with a PyPI equivalent → ``python.requirements``, with a warning
  (SPC715) naming the PyPI name, through :func:`conda_name_to_pypi` and the vendored mapping
  ``conda_pypi_names.json`` (its header says where it comes from); system libraries, compilers
  and tools (``libgcc-ng``, ``cudatoolkit``, ``r-base``, ...) are not carried (SPC716);
- ``variables`` → ``[env]``; ``channels`` (SPC717), ``name``, ``prefix`` and other keys (SPC718)
  are reported.

Match specs (``numpy>=1.24,<2``, ``python=3.11``, ``conda-forge::pytorch=2.3.1=py3.11_cuda12*``,
``scipy 1.13.*``) are parsed with conda's own ``MatchSpec`` as vendored by conda-lock
(``conda_lock.interfaces.vendored_conda``, the ``lock`` extra) when it is installed, else with
the documented subset in :func:`_parse_subset`: ``[channel::]name[ version[ build]]``,
``name=version[=build]``, ``name==version`` and ``name<op>version[,<op>version]``; the bracket
form (``numpy[version=">=1"]``) needs MatchSpec.  A version is converted to PEP 440 (conda's
``1.2.*`` fuzzy match is ``==1.2.*``); an ``|`` alternative cannot be, and a build string or a
channel has no pip equivalent: each is reported (SPC716), the package kept without it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from specc.importers.base import Draft

MAPPED = "SPC715"
NOT_CARRIED = "SPC716"
CHANNELS = "SPC717"
FIELD = "SPC718"
_MAPPING_FILE = Path(__file__).with_name("conda_pypi_names.json")
_TOOLS = frozenset({"pip", "setuptools", "wheel", "conda", "mamba"})


class MatchSpec(NamedTuple):
    """The parts of a conda match spec specc uses."""

    name: str
    version: str | None  # conda's version expression, e.g. ">=1.24,<2", "3.11.*"
    build: str | None
    channel: str | None


class MatchSpecError(ValueError):
    """Not a match spec this parser understands."""


def parse_match_spec(text: str) -> MatchSpec:
    """Parse a conda match spec with conda's MatchSpec (vendored by conda-lock) when installed,
    else with :func:`_parse_subset`.  Raises :class:`MatchSpecError`."""
    matchspec = _conda_matchspec()
    if matchspec is None:
        return _parse_subset(text)
    try:
        ms = matchspec(text)
    except Exception as exc:  # conda raises its own InvalidMatchSpec and friends
        raise MatchSpecError(str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid") from None
    version = ms.get("version")
    build = ms.get("build")
    channel = ms.get("channel")
    return MatchSpec(
        str(ms.name),
        str(version) if version is not None else None,
        str(build) if build is not None else None,
        getattr(channel, "canonical_name", None) or (str(channel) if channel is not None else None),
    )


@cache
def _conda_matchspec() -> Any:
    """conda's MatchSpec class as vendored by conda-lock, or None when it cannot be imported
    (conda-lock not installed, or its vendored conda failing on this Python)."""
    import warnings

    try:
        with warnings.catch_warnings():
            # the vendored conda announces its own deprecations (frozendict) at import time
            warnings.simplefilter("ignore")
            from conda_lock.interfaces.vendored_conda import MatchSpec as CondaMatchSpec
    except Exception:
        return None
    return CondaMatchSpec


_SUBSET = re.compile(
    r"^(?:(?P<channel>[A-Za-z0-9_./:-]+)::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.+-]*)"
    r"(?:(?P<eq>=(?!=))(?P<fuzzy>[^=\s]+)(?:=(?P<build1>\S+))?"
    r"|\s+(?P<ver>[^\s]+)(?:\s+(?P<build2>\S+))?"
    r"|(?P<ops>(?:==|>=|<=|!=|~=|>|<)[^\s]*))?$"
)


def _parse_subset(text: str) -> MatchSpec:
    """The documented subset of conda's match spec grammar (see the module docstring)."""
    m = _SUBSET.match(text.strip())
    if m is None:
        raise MatchSpecError(f"not a match spec specc reads without conda-lock: {text!r}")
    version: str | None
    if m.group("eq"):
        fuzzy = m.group("fuzzy")
        # name=1.2 is conda's fuzzy match (1.2.*) unless a build string follows (then exact)
        version = fuzzy if m.group("build1") or fuzzy.endswith("*") else fuzzy + ".*"
    else:
        version = m.group("ver") or m.group("ops")
    return MatchSpec(m.group("name"), version, m.group("build1") or m.group("build2"), m.group("channel"))


def pep440(version: str | None) -> str | None:
    """A conda version expression as a PEP 440 specifier (``""`` for any version), None when
    it has no PEP 440 form (an ``|`` alternative, a version packaging rejects)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if version is None or version.strip() in ("", "*"):
        return ""
    if "|" in version:
        return None
    clauses = []
    for clause in version.split(","):
        clause = clause.strip()
        if not clause:
            return None
        if not re.match(r"^(==|>=|<=|!=|~=|>|<)", clause):
            clause = "==" + clause
        if clause.endswith("*") and not clause.endswith(".*"):
            clause = clause[:-1].rstrip(".") + ".*"
        clauses.append(clause)
    text = ",".join(clauses)
    try:
        SpecifierSet(text)
    except InvalidSpecifier:
        return None
    return text


@cache
def _mapping() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_MAPPING_FILE.read_text(encoding="utf-8"))
    return data


def conda_name_to_pypi(name: str) -> str | None:
    """The PyPI name of conda package ``name`` through the vendored mapping: a renamed package
    (``pytorch`` → ``torch``, ``matplotlib-base`` → ``matplotlib``), None for a system library,
    compiler or tool (``libgcc-ng``, ``cudatoolkit``, ``r-base``, ``python``, ``pip``), else the
    same name (conda-forge names most Python packages as PyPI does)."""
    from packaging.utils import canonicalize_name

    data = _mapping()
    key = name.strip().lower()
    for table in ("additions", "grayskull"):
        if key in data[table]:
            return str(data[table][key])
    if key in data["not_on_pypi"] or key in _TOOLS:
        return None
    if key.startswith(tuple(data["not_on_pypi_prefixes"])) and key not in data["python_packages_with_lib_prefix"]:
        return None
    return str(canonicalize_name(key))


def conda_to_requirement(match_spec: str) -> str | None:
    """A conda match spec as a PEP 508 requirement: ``"numpy>=1.24,<2"`` → ``"numpy<2,>=1.24"``,
    ``"pytorch=2.3.1"`` → ``"torch==2.3.1.*"``; None for ``python``, a package with no PyPI
    equivalent, or a spec that does not parse.  Build strings, channels and ``|`` alternatives are
    dropped (:func:`read_environment` reports them)."""
    try:
        spec = parse_match_spec(match_spec)
    except MatchSpecError:
        return None
    pypi = conda_name_to_pypi(spec.name)
    if pypi is None:
        return None
    version = pep440(spec.version)
    return _requirement(pypi, version or "")


def _requirement(name: str, specifier: str) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return str(Requirement(name + specifier))
    except InvalidRequirement:
        return None


def read_environment(path: Path, draft: Draft) -> None:
    """Fill ``draft`` from a conda environment file (see the module docstring)."""
    from specc.importers.base import read_yaml
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    parsed = read_yaml(path, draft, shown=shown)
    if parsed is None:
        return
    data, lines = parsed

    def at(*p: str | int) -> str:
        line = lines.get(p)
        return f"{shown}:{line}" if line else shown

    if not isinstance(data, dict):
        draft.report("SPC700", f"{shown} is not a conda environment (not a mapping)", severity="error")
        return
    for key in data:
        if key not in ("dependencies", "channels", "variables", "name"):
            draft.report(FIELD, f"{key} is not carried over", source=at(str(key)))
    name = data.get("name")
    if isinstance(name, str) and name not in ("", "mlflow-env"):
        draft.report(
            FIELD,
            f'the environment name "{name}" is not carried over (model.name comes from the folder or --name)',
            source=at("name"),
        )
    channels = data.get("channels")
    if isinstance(channels, list) and channels:
        draft.report(
            CHANNELS,
            "channels (" + ", ".join(str(c) for c in channels) + ") are not carried over: the spec installs "
            "Python packages from PyPI (python.index-url)",
            source=at("channels"),
        )
    variables = data.get("variables")
    if isinstance(variables, dict):
        for var, value in variables.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                draft.set(("env", str(var)), str(value), source=at("variables", var))
            else:
                draft.report(FIELD, f"variable {var} is not a string; not carried over", source=at("variables", var))
    deps = data.get("dependencies")
    if deps is None:
        return
    if not isinstance(deps, list):
        draft.report("SPC700", f"{shown}: dependencies is not a list", source=at("dependencies"), severity="error")
        return
    for i, dep in enumerate(deps):
        source = at("dependencies", i)
        if isinstance(dep, dict):
            for key, value in dep.items():
                if key == "pip" and isinstance(value, list):
                    from specc.importers.requirements import requirement_lines

                    requirement_lines(
                        [(str(v), at("dependencies", i, "pip", j)) for j, v in enumerate(value)],
                        draft,
                        base=path.parent,
                    )
                else:
                    draft.report(FIELD, f"dependencies[{i}].{key} is not carried over", source=source)
            continue
        if not isinstance(dep, str):
            draft.report(FIELD, f"dependencies[{i}] ({dep!r:.40}) is not a match spec; not carried over", source=source)
            continue
        _conda_package(dep, source, draft)


def _conda_package(text: str, source: str, draft: Draft) -> None:
    try:
        spec = parse_match_spec(text)
    except MatchSpecError as exc:
        draft.report(NOT_CARRIED, f'"{text}" is not a conda match spec ({exc}); not carried over', source=source)
        return
    if spec.name == "python":
        minor = _python_minor(spec.version)
        if minor is None:
            draft.report(
                NOT_CARRIED,
                f'python "{spec.version or "*"}" names no single Python version; runtime.python is not taken from it',
                source=source,
                hint="write python=3.11 in the environment, or pass --python",
            )
        else:
            draft.set(("runtime", "python"), minor, source=source)
        return
    if spec.name in _TOOLS:
        draft.report(NOT_CARRIED, f"{spec.name} is an installer tool; every target brings its own", source=source)
        return
    pypi = conda_name_to_pypi(spec.name)
    if pypi is None:
        draft.report(
            NOT_CARRIED,
            f"conda package {spec.name} has no PyPI equivalent (a system library, compiler or tool); not carried over",
            source=source,
            hint="if the model needs it at run time, add the Debian/Ubuntu package under [apt] "
            "(e.g. libgomp1 for libgomp)",
        )
        return
    version = pep440(spec.version)
    lost = []
    if version is None:
        lost.append(f'version "{spec.version}" (no PEP 440 form)')
    if spec.build:
        lost.append(f'build string "{spec.build}"')
    if spec.channel:
        lost.append(f'channel "{spec.channel}"')
    req = _requirement(pypi, version or "")
    if req is None:
        draft.report(NOT_CARRIED, f'"{text}" has no PEP 508 form; not carried over', source=source)
        return
    same = pypi == spec.name.lower()
    draft.add(("python", "requirements"), req, source=source)
    draft.report(
        MAPPED,
        f'conda package {spec.name} is installed from PyPI as "{req}"'
        + ("" if same else f" (PyPI name {pypi})")
        + (": " + ", ".join(lost) + " dropped" if lost else ""),
        source=source,
        hint="check the PyPI build matches (CPU/GPU variants, compiled libraries)",
    )


def _python_minor(version: str | None) -> str | None:
    """``3.11.*``, ``3.11``, ``3.11.7``, ``==3.11.7`` → ``3.11``; ranges → None."""
    if not version:
        return None
    m = re.match(r"^(?:==)?(\d+)\.(\d+)(?:\.\d+)*(?:\.\*|\*)?$", version.strip())
    return f"{m.group(1)}.{m.group(2)}" if m else None


class _Importer:
    kind = "conda"
    summary = "a conda environment.yml (python=, the pip section, conda packages mapped to PyPI)"

    def detect(self, path: Path) -> bool:
        if not path.is_file():
            return False
        name = path.name.lower()
        return name in ("environment.yml", "environment.yaml", "conda.yaml", "conda.yml") or (
            name.endswith((".yml", ".yaml")) and ("env" in name or "conda" in name)
        )

    def read(self, path: Path, draft: Draft) -> None:
        if path.is_dir():
            path = next((path / n for n in ("environment.yml", "environment.yaml") if (path / n).is_file()), path)
        read_environment(path, draft)


IMPORTER = _Importer()
