"""One ``uv pip compile`` call of ``specc lock``, and starting the first one ahead of validation.

Why (docs/lock.md, "Cost"): a warm-cache ``uv pip compile`` spends most of its time asking the
index whether its cached pages are current; ``specc lock`` spends its own start-up (importing the
spec models, validating the spec) before it knows what to resolve.  Both are waits, so
:func:`start_ahead` predicts the first resolution from the raw files (the spec's TOML, the
existing lock, the runtime manifest) and starts uv right away, before anything heavy is
imported; :meth:`Ahead.take` hands its result over only when the call the validated spec makes
is *exactly* the predicted one (same input files byte for byte, same arguments, environment and
folder), and otherwise stops it and lets the real call run.  A wrong prediction costs nothing
but the wasted uv process: the lock never depends on it.

The prediction covers the everyday re-lock (a lock exists; ``[python]`` lists plain ``==`` pins
only; no ``--platform``); anything else is not predicted.  This module imports only the
standard library and :mod:`specc.runtimes` (itself standard library only), so it runs before
the CLI imports pydantic.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

#: uv's environment keeps only these of the caller's ``UV_*`` variables (the index settings
#: come from the spec, never from the caller's environment).
KEPT_UV_VARIABLES = ("UV_CACHE_DIR", "UV_NO_CACHE")
_CANONICAL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: PEP 440 versions in their normal form (a subset of what packaging accepts)
_PLAIN_VERSION = re.compile(r"^[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?$")
#: one element of a ``hashes = [...]`` array as specc.lockfile writes it, on its own line
_HASH_LINE = re.compile(r'^[ \t]*"sha256:[0-9a-f]{64}",[ \t]*\n', re.MULTILINE)
_PLAIN_PIN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\[[a-z0-9,-]+\])?==[0-9][0-9A-Za-z.+!-]*$")


def base_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment uv runs in before the spec's indexes are added."""
    environ = os.environ if environ is None else environ
    return {k: v for k, v in environ.items() if not k.startswith("UV_") or k in KEPT_UV_VARIABLES}


def build_interpreter(python: str) -> str | None:
    """The interpreter ``uv pip compile`` may use for builds (``--python``): this one, when it is
    the spec's ``major.minor``; else None (uv discovers one itself).

    uv needs an interpreter of the requested version only to build an sdist's metadata; when
    it is not told one, it searches virtual environments, managed installations and PATH, and
    a version manager's shim found there (pyenv's ``python3.11``) costs a resolution ~0.1 s
    (bench/lock.py).  The resolution itself targets ``--python-version`` either way.
    """
    if ".".join(python.split(".")[:2]) != f"{sys.version_info.major}.{sys.version_info.minor}":
        return None
    return sys.executable or None


def canonical_name(name: str) -> str:
    """PEP 503: lower-case, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locate_uv() -> str | None:
    """The uv binary: next to this Python (the venv's ``bin``), else on PATH, else the ``uv`` package's."""
    here = Path(sys.executable).parent / ("uv.exe" if os.name == "nt" else "uv")
    if here.is_file():
        return str(here)
    found = shutil.which("uv")
    if found:
        return found
    try:  # the ``uv`` package from PyPI
        from uv import find_uv_bin  # type: ignore[import-not-found,unused-ignore]

        return str(find_uv_bin())
    except Exception:
        return None


def valid_pin(name: str, version: str) -> bool:
    """Whether ``name==version`` is a line uv accepts (runtime manifests hold a few odd versions)."""
    if _CANONICAL.match(name) and _PLAIN_VERSION.match(version):  # the usual case, without packaging
        return True
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        Requirement(f"{name}=={version}")
        Version(version)
    except (InvalidRequirement, InvalidVersion):
        return False
    return True


def pins_text(preferred: Mapping[str, str]) -> str:
    """The seeded output file: uv reads an existing output file as preferred versions."""
    return "".join(f"{n}=={v}\n" for n, v in sorted(preferred.items()))


class UvCompile(NamedTuple):
    """One ``uv pip compile`` run: what it reads and how it is called.

    Files are named inside the folder the run gets (``requirements.in``, ``implied.in``, the
    seeded ``out.txt``, ``constraints.txt``), so two equal values make byte-identical runs.
    """

    uv: str
    inputs: tuple[tuple[str, str], ...]  # (file name, text) of each requirements input, in order
    preferred: str  # text of the seeded output file (preferences)
    constraints: str | None
    python: str
    platform: str
    upgrade: tuple[str, ...]
    env: tuple[tuple[str, str], ...]  # sorted items
    cwd: str
    offline: bool = False
    interpreter: str | None = None  # uv's ``--python`` (see build_interpreter)

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in self.inputs:
            (folder / name).write_text(text, encoding="utf-8")
        (folder / "out.txt").write_text(self.preferred, encoding="utf-8")
        if self.constraints is not None:
            (folder / "constraints.txt").write_text(self.constraints, encoding="utf-8")

    def command(self, folder: Path) -> list[str]:
        cmd = [self.uv, "pip", "compile", *(str(folder / name) for name, _ in self.inputs)]
        cmd += ["--python-version", self.python, "--python-platform", self.platform]
        cmd += ["--generate-hashes", "--no-header", "--annotation-style", "split", "--quiet"]
        cmd += ["--output-file", str(folder / "out.txt")]
        if self.constraints is not None:
            cmd += ["--constraint", str(folder / "constraints.txt")]
        for name in self.upgrade:
            cmd += ["--upgrade-package", name]
        if self.offline:
            cmd.append("--offline")
        if self.interpreter is not None:
            cmd += ["--python", self.interpreter]
        return cmd

    def run(self, folder: Path) -> subprocess.CompletedProcess[str]:
        """Write the files into ``folder`` and run uv there; uv's result is ``folder/out.txt``."""
        self.write(folder)
        return subprocess.run(
            self.command(folder), capture_output=True, text=True, env=dict(self.env), cwd=self.cwd, check=False
        )


class Ahead:
    """A ``uv pip compile`` started before the spec was validated (see the module docstring)."""

    def __init__(
        self,
        call: UvCompile,
        folder: Path,
        proc: subprocess.Popen[str],
    ) -> None:
        self.call = call
        self.folder = folder
        self.proc: subprocess.Popen[str] | None = proc
        self.used = False

    def take(self, call: UvCompile) -> subprocess.CompletedProcess[str] | None:
        """uv's result when ``call`` is exactly the predicted call (its output is in
        ``self.folder/out.txt``); None otherwise (the predicted run is stopped)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if call != self.call:
            _stop(proc)
            return None
        out, err = proc.communicate()
        self.used = True
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def close(self) -> None:
        """Stop the predicted run if nobody took it, and remove its folder."""
        proc, self.proc = self.proc, None
        if proc is not None:
            _stop(proc)
        shutil.rmtree(self.folder, ignore_errors=True)


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.communicate()


def predict(spec_path: Path, *, upgrade: bool, upgrade_packages: Sequence[str]) -> UvCompile | None:
    """The first ``uv pip compile`` ``specc lock`` will run for ``spec_path``, from the raw files;
    None when the spec or the lock is outside what is predicted (nothing is reported: the real
    run reports whatever is wrong)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    lock_path = spec_path.with_name("model-env.lock")
    try:
        spec = tomllib.loads(spec_path.read_text(encoding="utf-8"))
        lock_text = lock_path.read_text(encoding="utf-8")
        # the lock without its hash lines (most of its bytes; each leaves a valid, shorter array):
        # the prediction needs names and versions only, and the real run reads the whole lock
        lock = tomllib.loads(_HASH_LINE.sub("", lock_text))
    except (OSError, ValueError):
        return None
    python = spec.get("python", {})
    lines = python.get("requirements") if isinstance(python, dict) else None
    if not isinstance(lines, list) or not lines or set(python) != {"requirements"}:
        return None  # requirements files, wheels, constraints, indexes: left to the real run
    if not all(isinstance(q, str) and _PLAIN_PIN.match(q.strip()) for q in lines):
        return None
    reqs = sorted({q.strip() for q in lines}, key=lambda q: (canonical_name(re.split(r"[\[=]", q)[0]), q))
    locked = lock.get("python", {})
    runtime = lock.get("runtime", {})
    platforms = locked.get("platforms") or []
    implied = locked.get("implied-requirements") or []
    if not isinstance(runtime, dict) or not platforms or not isinstance(implied, list):
        return None
    preferred: dict[str, str] = {}
    if runtime.get("databricks"):
        from specc.runtimes import get_runtime

        info = get_runtime(str(runtime["databricks"]))
        if info is None:
            return None
        preferred.update({n: v for n, v in info.packages().items() if valid_pin(n, v)})
    if not upgrade:
        for p in locked.get("packages", []):
            name, version = p.get("name"), p.get("version")
            if version and not p.get("url") and not p.get("path") and valid_pin(name, version):
                preferred[name] = version
    upgrade_set = sorted({canonical_name(n) for n in upgrade_packages})
    for name in upgrade_set:
        preferred.pop(name, None)
    uv = locate_uv()
    if uv is None or not runtime.get("python"):
        return None
    inputs = [("requirements.in", "\n".join(reqs) + "\n")]
    if implied:
        inputs.append(("implied.in", "".join(f"{line}\n" for line in implied)))
    return UvCompile(
        uv=uv,
        inputs=tuple(inputs),
        preferred=pins_text(preferred),
        constraints=None,
        python=str(runtime["python"]),
        platform=str(platforms[0]),
        upgrade=tuple(upgrade_set),
        env=tuple(sorted(base_env().items())),
        cwd=str(spec_path.parent),
        interpreter=build_interpreter(str(runtime["python"])),
    )


def start_ahead(spec_path: str | Path, args: Any) -> Ahead | None:
    """Start the predicted first resolution of ``specc lock`` (``args``: its parsed options), or None."""
    if args.check or args.conda or args.platform or args.replace_platforms:
        return None
    if getattr(args, "format", "text") not in ("text", "json"):  # an export (--format pylock): nothing resolves
        return None
    try:
        path = Path(spec_path).absolute()
        call = predict(path, upgrade=args.upgrade, upgrade_packages=args.upgrade_package)
        if call is None:
            return None
        folder = Path(tempfile.mkdtemp(prefix="specc-lock-ahead-"))
        call.write(folder)
        proc = subprocess.Popen(
            call.command(folder),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(call.env),
            cwd=call.cwd,
        )
    except Exception:  # a prediction must never break the real run
        return None
    return Ahead(call, folder, proc)
