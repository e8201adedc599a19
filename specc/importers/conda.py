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
``scipy 1.13.*``) are parsed with py-rattler's ``MatchSpec`` (prefix.dev's conda library,
https://github.com/conda/rattler, the ``import`` extra) when it is installed, else with the
documented subset in :func:`_parse_subset`: ``[channel::]name[ version[ build]]``,
``name=version[=build]``, ``name==version`` and ``name<op>version[,<op>version]``; the bracket
form (``numpy[version=">=1"]``) needs py-rattler.  Both read a package file URL
(``.../numpy-1.26.4-py311h64a7726_0.conda``) by its file name.  A version is converted to PEP
440 (conda's ``1.2.*`` fuzzy match is ``==1.2.*``); an ``|`` alternative cannot be, and a build
string, a channel, a subdir, a condition or another bracket key (``md5``, ``license``) has no pip
equivalent: each is reported (SPC715), the package kept without it.  conda's ``extras`` become
pip extras.  py-rattler is imported only inside :func:`parse_match_spec`; it changes neither
``sys.path`` nor the modules other parts of specc load.
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

    name: str  # lower case, as conda compares names
    version: str | None  # conda's version expression, e.g. ">=1.24,<2", "3.11.*", "==1.26.4"
    build: str | None  # None also for the any-build "*"
    channel: str | None
    #: pip extras (conda's ``pkg[extras=[a,b]]``)
    extras: tuple[str, ...] = ()
    #: what the spec says that has no pip form besides build and channel, one phrase each
    #: (``'subdir "linux-64"'``, ``'key "license"'``, ``'the condition "python>=3.9"'``)
    dropped: tuple[str, ...] = ()


class MatchSpecError(ValueError):
    """Not a match spec this parser understands."""


# a package file URL or name (conda's explicit specs): name-version-build.conda / .tar.bz2
_PACKAGE_FILE = re.compile(r"(?:^|/)(?P<name>[^/]+)-(?P<version>[^-/]+)-(?P<build>[^-/]+)\.(?:conda|tar\.bz2)$")
# the keys of a bracket section, ``name[version=">=1", build=py311*]``
_BRACKET_KEY = re.compile(r"(?:^|[\s,])([A-Za-z_][A-Za-z0-9_]*)\s*=")
_BRACKETS_READ = frozenset({"version", "build", "build_string", "channel", "extras", "subdir", "when"})


def parse_match_spec(text: str) -> MatchSpec:
    """Parse a conda match spec with py-rattler (prefix.dev's conda library, the ``import``
    extra) when it is installed, else with :func:`_parse_subset`.  A package file URL
    (``https://.../numpy-1.26.4-py311h64a7726_0.conda``, conda's explicit form) is read from its
    file name by both.  Raises :class:`MatchSpecError`."""
    text = text.strip()
    if (file := _package_file(text)) is not None:
        return file
    rattler = _rattler_matchspec()
    if rattler is None:
        return _parse_subset(text)
    try:
        ms = rattler(text)
        name = str(ms.name.normalized)
        version = ms.version
        build = ms.build
        channel = ms.channel
        dropped = []
        if ms.subdir:
            dropped.append(f'subdir "{ms.subdir}"')
        condition = getattr(ms, "condition", None)
        if condition:
            dropped.append(f'the condition "{condition}" (the package is installed everywhere)')
        extras = tuple(str(e) for e in (getattr(ms, "extras", None) or ()))
    except Exception as exc:  # rattler's InvalidMatchSpecError, or an attribute an old rattler lacks
        raise MatchSpecError(_first_line(exc)) from None
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise MatchSpecError(_first_line(exc)) from None
    dropped += _bracket_keys(text)
    return MatchSpec(
        name,
        str(version) if version else None,
        str(build) if build and str(build) != "*" else None,
        str(channel.name) if channel is not None else None,
        extras,
        tuple(dropped),
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "invalid"


def _package_file(text: str) -> MatchSpec | None:
    m = _PACKAGE_FILE.search(text)
    if m is None or not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.+-]*", m.group("name")):
        return None
    # the URL itself is not repeated: a private channel's URL may hold a token
    return MatchSpec(
        m.group("name").lower(),
        "==" + m.group("version"),
        m.group("build"),
        None,
        (),
        ("the package file's URL",) if "/" in text[: m.start() + 1] else (),
    )


def _bracket_keys(text: str) -> list[str]:
    """The keys of a ``[...]`` section neither parser carries (``md5``, ``sha256``,
    ``build_number``, ``license``, ``features``...), one phrase each."""
    if "[" not in text:
        return []
    inside = text[text.index("[") + 1 : text.rindex("]")] if "]" in text else text[text.index("[") + 1 :]
    inside = re.sub(r"\"[^\"]*\"|'[^']*'|\[[^\]]*\]", '""', inside)
    keys = [k.lower() for k in _BRACKET_KEY.findall(inside)]
    return [f'key "{k}"' for k in dict.fromkeys(keys) if k not in _BRACKETS_READ]


@cache
def _rattler_matchspec() -> Any:
    """py-rattler's MatchSpec class, or None when py-rattler is not installed (or fails to load:
    a wheel built for another platform).  Imported here only, so a run that reads no conda file
    never loads it."""
    try:
        from rattler import MatchSpec as RattlerMatchSpec
    except Exception:
        return None
    return RattlerMatchSpec


_SUBSET = re.compile(
    r"^(?:(?P<channel>[A-Za-z0-9_./:-]+)::)?(?P<name>[A-Za-z0-9_][A-Za-z0-9_.+-]*)"
    r"(?:(?P<eq>=(?!=))(?P<fuzzy>[^=\s]+)(?:=(?P<build1>\S+))?"
    r"|\s+(?P<ver>[^\s]+)(?:\s+(?P<build2>\S+))?"
    r"|\s*(?P<ops>(?:==|>=|<=|!=|~=|>|<)[^\s]*(?:\s*,\s*(?:==|>=|<=|!=|~=|>|<)?[^\s,]+)*))?$"
)


def _parse_subset(text: str) -> MatchSpec:
    """The documented subset of conda's match spec grammar (see the module docstring), for
    when py-rattler is not installed."""
    text = text.strip()
    if (file := _package_file(text)) is not None:
        return file
    # "numpy >= 1.24 , <2" is "numpy >=1.24,<2" (conda allows spaces around operators and commas)
    m = _SUBSET.match(re.sub(r"(==|>=|<=|!=|~=|>|<)\s+", r"\1", re.sub(r"\s*,\s*", ",", text)))
    if m is None:
        raise MatchSpecError(f"not a match spec specc reads without py-rattler: {text!r}")
    version: str | None
    if m.group("eq"):
        fuzzy = m.group("fuzzy")
        # name=1.2 is conda's fuzzy match (1.2.*) unless a build string follows (then exact)
        if fuzzy == "*" or fuzzy.endswith(".*"):
            version = fuzzy
        elif fuzzy.endswith("*"):
            version = fuzzy[:-1].rstrip(".") + ".*"
        else:
            version = fuzzy if m.group("build1") else fuzzy + ".*"
    else:
        version = m.group("ver") or (re.sub(r"\s+", "", m.group("ops")) if m.group("ops") else None)
    build = m.group("build1") or m.group("build2")
    return MatchSpec(m.group("name").lower(), version, None if build == "*" else build, m.group("channel"))


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
    compiler or tool (``libgcc-ng``, ``cudatoolkit``, ``r-base``, ``tzdata``, ``python``, ``pip``),
    else the same name (conda-forge names most Python packages as PyPI does).

    Lookup order: specc's own ``additions``, grayskull's curated list, then prefix.dev's
    parselmouth conda-forge mapping (``renamed``; its ``not_on_pypi`` names with specc's own
    list and prefixes); see the ``_comment`` of conda_pypi_names.json for the sources."""
    from packaging.utils import canonicalize_name

    data = _mapping()
    key = name.strip().lower()
    for table in (data["additions"], data["grayskull"], data["parselmouth"]["renamed"]):
        if key in table:
            return str(table[key])
    if key in _TOOLS or key in _not_on_pypi():
        return None
    if key.startswith(tuple(data["not_on_pypi_prefixes"])) and key not in data["python_packages_with_lib_prefix"]:
        return None
    return str(canonicalize_name(key))


@cache
def _not_on_pypi() -> frozenset[str]:
    data = _mapping()
    return frozenset(data["not_on_pypi"]) | frozenset(data["parselmouth"]["not_on_pypi"])


_HASH_BUILD = re.compile(r"(?:^|_)h[0-9a-f]{7}(?:_|$)")


def library_build(build: str | None) -> bool:
    """Whether a conda build string says the package is a compiled library, not a Python
    distribution: conda-forge and Anaconda build strings carry a hash (``hd590300_5``,
    ``pthreads_hac2b453_1``), and every build that depends on Python starts or contains
    ``py`` (``py311h64a7726_0``, noarch ``pyhd8ed1ab_0``), so a hashed build without ``py``
    has no Python in it (``tzdata=2024a=h0c530f3_0``, the timezone database, not PyPI's
    tzdata).  A glob or a build without a hash is no evidence either way."""
    if not build or "*" in build:
        return False
    return _HASH_BUILD.search(build) is not None and "py" not in build.lower()


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
    if pypi is None or library_build(spec.build):
        return None
    version = pep440(spec.version)
    return _requirement(pypi, version or "", spec.extras)


def _requirement(name: str, specifier: str, extras: tuple[str, ...] = ()) -> str | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return str(Requirement(name + (f"[{','.join(extras)}]" if extras else "") + specifier))
    except InvalidRequirement:
        return None


def read_environment(path: Path, draft: Draft) -> None:
    """Fill ``draft`` from a conda environment file (see the module docstring)."""
    from specc.importers.base import read_yaml
    from specc.importers.requirements import display

    shown = display(path, draft.root)
    texts: dict[tuple[str | int, ...], str] = {}
    parsed = read_yaml(path, draft, shown=shown, texts=texts)
    if parsed is None:
        return
    data, lines = parsed

    def at(*p: str | int) -> str:
        line = lines.get(p)
        return f"{shown}:{line}" if line else shown

    if not isinstance(data, dict):
        draft.report(
            "SPC700", f"{shown} is not a conda environment (not a mapping)", source=f"{shown}:1", severity="error"
        )
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
        from specc.diagnostics import looks_like_credential
        from specc.importers._peers import SECRET_VALUE, credential_name, line_free

        for var, value in variables.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                if credential_name(str(var)) or looks_like_credential(str(value)):
                    # the value never reaches the spec, a message or an excerpt (a source without a line)
                    safe = line_free(at("variables", var), f"variable {var}")
                    secret = draft.secret(str(var), source=safe)[2:-1]
                    draft.report(
                        SECRET_VALUE,
                        f"variable {var} holds a credential; it is declared as secret {secret} and its value is "
                        "not written",
                        source=safe,
                        hint="store the value in each target's secret store (Databricks secret, docker build --secret)",
                    )
                    continue
                # the value as written: YAML reads "VERSION: 1.10" as the float 1.1
                written = texts.get(("variables", var), str(value)) if not isinstance(value, str) else value
                draft.set(("env", str(var)), written, source=at("variables", var))
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
    if pypi is not None and library_build(spec.build):
        draft.report(
            NOT_CARRIED,
            f'conda package {spec.name} is a compiled library (its build "{spec.build}" names no Python), '
            "not a PyPI distribution; not carried over",
            source=source,
            hint="if the model needs it at run time, add the Debian/Ubuntu package under [apt]",
        )
        return
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
    lost += spec.dropped
    req = _requirement(pypi, version or "", spec.extras)
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
    """``3.11.*``, ``3.11``, ``3.11.7``, ``==3.11.7``, ``~=3.11.0``, ``>=3.11,<3.12`` → ``3.11``
    (the one reading every importer shares, :func:`specc.importers._peers.python_from_conda`);
    other ranges → None."""
    from specc.importers._peers import python_from_conda

    if not version:
        return None
    one = python_from_conda(version)
    if one is None:
        m = re.match(r"^(?:==)?(3)\.(\d+)\.\d+\.\*$", version.strip())  # rattler's python=3.11.7 is 3.11.7.*
        return f"{m.group(1)}.{m.group(2)}" if m else None
    return ".".join(one.split(".")[:2])


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
        if path.is_dir():  # --from conda on a folder: its environment file (the usual names first)
            names = ["environment.yml", "environment.yaml", "conda.yaml", "conda.yml"]
            files = [path / n for n in names] + sorted(f for f in path.iterdir() if f.name not in names)
            path = next((f for f in files if self.detect(f)), path)
        read_environment(path, draft)


IMPORTER = _Importer()
