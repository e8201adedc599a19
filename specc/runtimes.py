"""Databricks runtimes known to specc: keys, short forms and preinstalled packages.

The data are generated JSON files under ``targets/databricks/runtimes/`` (see
``scripts/build_runtimes.py``).  ``index.json`` is small and answers every question but
"which packages are preinstalled"; a runtime's full manifest is read only when
:meth:`RuntimeInfo.packages` is called.  Both are cached, and this module imports only
the standard library so that ``import specc`` stays cheap.

Accepted spellings of a runtime (all case- and whitespace-insensitive), normalized by
:func:`resolve_runtime` to a ``spark_version`` key:

========================================  =================================
``15.4.x-cpu-ml-scala2.12``               itself
``15.4-ml``, ``15.4 LTS ML``, ``15.4 ML``  ``15.4.x-cpu-ml-scala2.12`` (gpu-ml when ``gpu=True``)
``15.4-gpu-ml``, ``15.4 LTS ML GPU``      ``15.4.x-gpu-ml-scala2.12``
``15.4``, ``15.4 LTS``, ``15.4.x``        ``15.4.x-scala2.12``
``serverless-v3``, ``serverless v3``      ``serverless-v3``
========================================  =================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any

from specc.resources import targets_dir

__all__ = [
    "RuntimeInfo",
    "get_runtime",
    "known_runtimes",
    "resolve_runtime",
    "scala_suffix_ok",
    "suggest_runtimes",
]

_FLAVOR_RANK = {"standard": 0, "cpu-ml": 1, "gpu-ml": 2, "serverless": 3}


@dataclass(frozen=True)
class RuntimeInfo:
    """One Databricks runtime (or serverless environment version)."""

    key: str
    version: str
    flavor: str  # "standard" | "cpu-ml" | "gpu-ml" | "serverless"
    lts: bool
    python: str
    spark: str | None
    scala: str | None
    ubuntu: str | None

    @property
    def serverless(self) -> bool:
        return self.flavor == "serverless"

    @property
    def ml(self) -> bool:
        return self.flavor in ("cpu-ml", "gpu-ml")

    @property
    def gpu(self) -> bool:
        return self.flavor == "gpu-ml"

    def packages(self) -> Mapping[str, str]:
        """Preinstalled distributions, ``{canonical name: version}`` (read-only, cached)."""
        return _manifest(self.key)[0]

    def verbatim(self) -> tuple[str, ...]:
        """Preinstalled direct references (``name @ url``) that carry no version."""
        return _manifest(self.key)[1]

    def _sort_key(self) -> tuple[Any, ...]:
        numeric = tuple(int(p) for p in self.version.split(".") if p.isdigit())
        return (self.serverless, numeric, _FLAVOR_RANK.get(self.flavor, 9), self.key)


@cache
def _index() -> dict[str, RuntimeInfo]:
    path = targets_dir("databricks", "runtimes", "index.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    infos = [
        RuntimeInfo(
            key=e["key"],
            version=e["version"],
            flavor=e["flavor"],
            lts=bool(e["lts"]),
            python=e["python"],
            spark=e.get("spark"),
            scala=e.get("scala"),
            ubuntu=e.get("ubuntu"),
        )
        for e in data["runtimes"]
    ]
    infos.sort(key=RuntimeInfo._sort_key)
    return {i.key: i for i in infos}


@cache
def _manifest(key: str) -> tuple[Mapping[str, str], tuple[str, ...]]:
    path = targets_dir("databricks", "runtimes", f"{key}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    # MappingProxyType: the cached dict is shared, so callers must not be able to mutate it.
    return MappingProxyType(dict(data["packages"])), tuple(data.get("verbatim", ()))


def known_runtimes() -> list[RuntimeInfo]:
    """Every known runtime, sorted by version then flavor (serverless last)."""
    return list(_index().values())


def get_runtime(key: str) -> RuntimeInfo | None:
    """The runtime with exactly this key, or None."""
    return _index().get(key)


_SERVERLESS = re.compile(r"^serverless[\s_-]*v?(\d+)$")
_VERSION = re.compile(r"^(\d+\.\d+)(?:\.x)?$")
_SCALA = re.compile(r"^scala(\d+\.\d+)$")


def resolve_runtime(value: str, *, gpu: bool = False) -> str | None:
    """Normalize any accepted spelling of a runtime to its key; None when unknown.

    ``gpu`` (set when the spec has ``runtime.cuda``) turns the ML short forms into the
    gpu-ml runtime; it never changes a full key or an explicit ``cpu``.
    """
    text = " ".join(value.strip().lower().split())
    index = _index()
    if text in index:
        return text
    if m := _SERVERLESS.match(text):
        key = f"serverless-v{m.group(1)}"
        return key if key in index else None

    tokens = [t for t in re.split(r"[\s_-]+", text) if t]
    if not tokens or not (m := _VERSION.match(tokens[0])):
        return None
    version = m.group(1)
    want_lts = want_ml = want_gpu = want_cpu = False
    scala: str | None = None
    for tok in tokens[1:]:
        if tok == "lts":
            want_lts = True
        elif tok == "ml":
            want_ml = True
        elif tok == "gpu":
            want_gpu = True
        elif tok == "cpu":
            want_cpu = True
        elif sm := _SCALA.match(tok):
            scala = sm.group(1)
        else:
            return None  # photon, aarch64, typos...: not a runtime we know
    if want_cpu and (want_gpu or not want_ml):
        return None  # "cpu-gpu" is nonsense; there is no "cpu" standard flavor
    if want_gpu:
        flavor = "gpu-ml"  # every GPU runtime is an ML runtime
    elif want_ml:
        flavor = "gpu-ml" if gpu and not want_cpu else "cpu-ml"
    else:
        flavor = "standard"

    infix = "" if flavor == "standard" else f"{flavor}-"
    # Without an explicit Scala, prefer 2.12: it is the default image wherever both
    # exist (16.4 LTS), and 17.x onwards only has 2.13.
    for sc in [scala] if scala else ["2.12", "2.13"]:
        info = index.get(f"{version}.x-{infix}scala{sc}")
        if info is not None:
            # "15.1 LTS" names a runtime that is not LTS: refuse rather than guess.
            return info.key if info.lts or not want_lts else None
    return None


@cache
def _short_forms() -> dict[str, str]:
    """Lower-cased candidate spelling -> the spelling shown in a suggestion."""
    forms: dict[str, str] = {}
    for info in _index().values():
        forms[info.key.lower()] = info.key
        if info.serverless:
            continue
        lts = " LTS" if info.lts else ""
        if info.flavor == "standard":
            extra = [info.version, f"{info.version}{lts}"]
        elif info.flavor == "cpu-ml":
            extra = [f"{info.version}-ml", f"{info.version}{lts} ML"]
        else:
            extra = [f"{info.version}-gpu-ml", f"{info.version}{lts} ML GPU"]
        for form in extra:
            forms.setdefault(form.lower(), form)
    return forms


def suggest_runtimes(value: str, n: int = 3) -> list[str]:
    """Did-you-mean candidates (keys and short forms) for an unknown runtime spelling."""
    forms = _short_forms()
    text = " ".join(value.strip().lower().split())
    import difflib  # only for a suggestion

    matches = difflib.get_close_matches(text, list(forms), n=n, cutoff=0.6)
    if not matches:
        # "15.4-photon": the version is right but the rest is not something we know;
        # offer that version's runtimes rather than nothing.
        head = re.split(r"[\s_-]+", text)[0] if text else ""
        if m := _VERSION.match(head):
            prefix = m.group(1)
            matches = [f for f in forms if f.startswith(prefix) and " " not in f][:n]
    return [forms[m] for m in matches]


_SCALA_SUFFIX = re.compile(r"_(\d+\.\d+)$")


def scala_suffix_ok(runtime: RuntimeInfo, artifact_id: str) -> bool | None:
    """Whether a Maven artifact's Scala suffix (``spark-nlp_2.12``) fits the runtime.

    Accepts a bare artifact id or full ``group:artifact[:version]`` coordinates.  None
    when the artifact has no Scala suffix (plain Java) or the runtime has no Scala.
    """
    parts = artifact_id.split(":")
    artifact = parts[1] if len(parts) >= 2 else parts[0]
    m = _SCALA_SUFFIX.search(artifact)
    if m is None or runtime.scala is None:
        return None
    return m.group(1) == runtime.scala
