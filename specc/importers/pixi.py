"""The ``pixi`` importer: prefix.dev pixi's ``pixi.toml`` (or ``[tool.pixi]`` in a pyproject.toml).

The format (pixi's docs/reference/pixi_manifest.md and docs/workspace/system_requirements.md,
read at prefix-dev/pixi 2b25fc7, 2026-08-21; manifests may be TOML 1.1, read with ``tomli``)::

    [workspace]                        # or [project], its older name
    name = "churn"
    channels = ["conda-forge"]
    platforms = ["linux-64", { platform = "linux-64", cuda = "12" }, "osx-arm64"]
    [workspace.pypi-options]           # also [pypi-options] (the default feature's)
    index-url = "https://pypi.org/simple"
    extra-index-urls = ["https://pkgs.example.com/simple"]
    find-links = [{ path = "./links" }]   # and no-build, no-binary, index-strategy, ...
    [dependencies]                     # conda match specs
    python = "3.11.*"
    numpy = ">=1.26,<2"
    pytorch = { version = "2.3.*", channel = "pytorch", build = "*cuda*" }
    [pypi-dependencies]                # PyPI, resolved by uv
    scikit-learn = "==1.5.2"
    pandas = { version = ">=2.1", extras = ["performance"] }
    torch = { version = "*", index = "https://download.pytorch.org/whl/cu121" }
    mylib = { path = "./mylib", editable = true }
    flask = { git = "https://github.com/pallets/flask", rev = "..." }
    click = { url = "https://.../click-8.1.7-py3-none-any.whl" }
    [system-requirements]              # deprecated: cuda = "12", libc, macos, linux
    [constraints]                      # conda constraints
    [activation]                       # scripts = [...], env = { NAME = "value" }
    [tasks]
    [target.linux-64.dependencies]     # per platform
    [feature.gpu.dependencies]         # features, combined by [environments]
    [environments]
    default = ["gpu"]

Carried over (for the default environment on Linux): the Python version from ``python``,
conda packages with a PyPI equivalent (SPC735), PyPI dependencies (versions, extras, https
URLs, local wheels), index URLs (credentials become ``${NAME}`` secrets; a per-package
``index`` becomes an extra index, SPC733), CUDA from a Linux platform entry or
``[system-requirements]``, activation variables, and the features the ``default`` environment
lists.  ``[target.linux-64]``/``linux``/``unix`` tables are merged as pixi merges them (a name
there replaces the general one).  Everything else is a diagnostic (SPC730-SPC743).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from specc.importers.base import Draft, Source

# the targets a Linux x86_64 environment includes (pixi's target selectors)
_LINUX_TARGETS = ("unix", "linux", "linux-64")
_HANDLED_TOP = {
    "workspace", "project", "dependencies", "pypi-dependencies", "pypi-options", "system-requirements",
    "constraints", "activation", "tasks", "target", "feature", "environments",
}  # fmt: skip


def _file(path: Path) -> Path | None:
    if path.is_file():
        if path.name == "pixi.toml":
            return path
        if path.name == "pyproject.toml" and _has_tool_pixi(path):
            return path
        return None
    if path.is_dir():
        if (path / "pixi.toml").is_file():
            return path / "pixi.toml"
        if (path / "pyproject.toml").is_file() and _has_tool_pixi(path / "pyproject.toml"):
            return path / "pyproject.toml"
    return None


def _has_tool_pixi(file: Path) -> bool:
    try:
        with file.open("rb") as f:
            head = f.read(262144).decode("utf-8", "replace")
    except OSError:
        return False
    return "[tool.pixi" in head


class _Importer:
    kind = "pixi"
    summary = "pixi's pixi.toml, or a pyproject.toml with [tool.pixi] (a file, or a folder holding one)"

    def detect(self, path: Path) -> bool:
        return _file(path) is not None

    def read(self, path: Path, draft: Draft) -> None:
        from specc.importers import _peers as p

        file = _file(path) or path
        doc = p.load_toml(file, draft)
        if doc is None:
            return
        prefix: tuple[str, ...] = ("tool", "pixi") if file.name == "pyproject.toml" else ()
        if prefix and not isinstance(doc.get(*prefix), dict):
            draft.report(p.INVALID, f"{doc.name} has no [tool.pixi] table", source=doc.name, severity="error")
            return
        reader = _Reader(doc, prefix, file.parent, draft)
        reader.read()


class _Reader:
    def __init__(self, doc: Any, prefix: tuple[str, ...], folder: Path, draft: Draft) -> None:
        self.doc, self.prefix, self.folder, self.draft = doc, prefix, folder, draft
        self.manifest: dict[str, Any] = doc.get(*prefix) if prefix else doc.data
        if not isinstance(self.manifest, dict):
            self.manifest = {}

    def src(self, *key: str | int) -> Source:
        return str(self.doc.src(*self.prefix, *key))

    def table(self, *key: str) -> dict[str, Any]:
        from specc.importers import _peers as p

        value = self.doc.get(*self.prefix, *key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.draft.report(p.INVALID, f"[{'.'.join(key)}] must be a table", source=self.src(*key), severity="error")
            return {}
        return value

    # --- the whole manifest -------------------------------------------------------------

    def read(self) -> None:
        from specc.importers import _peers as p

        draft = self.draft
        workspace_key = "workspace" if "workspace" in self.manifest else "project"
        workspace = self.table(workspace_key)
        self._workspace(workspace_key, workspace)

        # features in the default environment, merged in order after the default feature
        features = self.table("feature")
        default_features = self._default_features(features)
        layers: list[tuple[str, ...]] = [()]
        for name in default_features:
            if name in features:
                layers.append(("feature", name))
        for name in features:
            if name not in default_features:
                deps = sum(
                    len(features[name].get(k) or {}) if isinstance(features[name], dict) else 0
                    for k in ("dependencies", "pypi-dependencies")
                )
                draft.report(
                    p.VARIANT,
                    f"feature {name!r} ({deps} dependenc{'y' if deps == 1 else 'ies'}) is not in the default "
                    "environment; not carried over",
                    source=self.src("feature", name),
                    hint="import it by adding it to [environments] default, or add its packages by hand",
                )
        envs = self.table("environments")
        for name in envs:
            if name != "default":
                draft.report(
                    p.VARIANT,
                    f"environment {name!r} is not carried over (the spec describes one environment: the default one)",
                    source=self.src("environments", name),
                )

        conda: dict[str, tuple[Any, Source]] = {}
        pypi: dict[str, tuple[Any, Source]] = {}
        constraints: dict[str, tuple[Any, Source]] = {}
        for layer in layers:
            for sub, into in (("dependencies", conda), ("pypi-dependencies", pypi), ("constraints", constraints)):
                self._collect((*layer, sub), into)
            for target in _LINUX_TARGETS:
                for sub, into in (("dependencies", conda), ("pypi-dependencies", pypi), ("constraints", constraints)):
                    self._collect((*layer, "target", target, sub), into)
            self._targets(layer)
            self._options((*layer, "pypi-options"))
            self._system_requirements((*layer, "system-requirements"))
            self._activation((*layer, "activation"))
            tasks = self.table(*layer, "tasks")
            if tasks:
                draft.report(
                    p.BUILD_STEP,
                    f"tasks ({', '.join(sorted(tasks))}) are not carried over",
                    source=self.src(*layer, "tasks"),
                )
            if layer:
                known = {"dependencies", "pypi-dependencies", "constraints", "target", "pypi-options",
                         "system-requirements", "activation", "tasks", "platforms", "channels"}  # fmt: skip
                body = self.table(*layer)
                for key in body:
                    if key not in known:
                        draft.report(
                            p.SETTING, f"{'.'.join(layer)}.{key} is not carried over", source=self.src(*layer, key)
                        )
                if body.get("channels"):
                    draft.report(
                        p.CONDA_NOT_CARRIED,
                        f"{'.'.join(layer)}.channels are not carried over",
                        source=self.src(*layer, "channels"),
                    )

        for name, (value, source) in conda.items():
            self._conda(name, value, source)
        for name, (value, source) in pypi.items():
            self._pypi(name, value, source)
        for name, (value, source) in constraints.items():
            self._constraint(name, value, source)

        if self.prefix:
            from specc.importers.requirements import requirement_lines

            requirement_lines(
                p.requirement_strings(self.doc, ("project", "dependencies"), draft, "requirements"), draft
            )
        for key in self.manifest:
            if key not in _HANDLED_TOP:
                draft.report(p.SETTING, f"[{key}] is not carried over", source=self.src(key))

    def _default_features(self, features: dict[str, Any]) -> list[str]:
        envs = self.table("environments")
        default = envs.get("default")
        if isinstance(default, list):
            return [str(f) for f in default]
        if isinstance(default, dict) and isinstance(default.get("features"), list):
            return [str(f) for f in default["features"]]
        return []

    def _workspace(self, key: str, workspace: dict[str, Any]) -> None:
        from specc.importers import _peers as p

        draft = self.draft
        name = workspace.get("name")
        if isinstance(name, str) and (slugged := p.model_name(name)):
            draft.set(("model", "name"), slugged, source=self.src(key, "name"))
        channels = workspace.get("channels")
        if channels:
            shown = ", ".join(c if isinstance(c, str) else str(c.get("channel", c)) for c in channels)
            draft.report(
                p.CONDA_NOT_CARRIED,
                f"channels ({shown}) are not carried over: the spec installs from PyPI",
                source=self.src(key, "channels"),
            )
        platforms = workspace.get("platforms") or []
        linux = False
        for entry in platforms if isinstance(platforms, list) else []:
            platform = (
                entry
                if isinstance(entry, str)
                else (entry.get("platform") or entry.get("name") if isinstance(entry, dict) else None)
            )
            if isinstance(platform, str) and platform.startswith("linux-"):
                linux = True
                if isinstance(entry, dict) and entry.get("cuda") is not None and platform == "linux-64":
                    self._cuda(str(entry["cuda"]), self.src(key, "platforms"))
        if platforms and not linux:
            draft.report(
                p.VARIANT,
                "platforms name no Linux platform: the environment was never solved for the targets specc renders",
                source=self.src(key, "platforms"),
            )
        self._options((key, "pypi-options"))
        for option in ("exclude-newer", "channel-priority", "solve-strategy", "conda-pypi-map", "build-variants",
                       "preview", "requires-pixi"):  # fmt: skip
            if workspace.get(option) is not None:
                draft.report(
                    p.PIP_OPTION,
                    f"{key}.{option} is not carried over",
                    source=self.src(key, option),
                    hint="`specc lock` pins the versions" if option == "exclude-newer" else None,
                )

    def _collect(self, key: tuple[str, ...], into: dict[str, tuple[Any, Source]]) -> None:
        for name, value in self.table(*key).items():
            into[str(name)] = (value, self.src(*key, name))  # a later layer replaces (pixi's merge)

    def _targets(self, layer: tuple[str, ...]) -> None:
        from specc.importers import _peers as p

        for target, body in self.table(*layer, "target").items():
            if target in _LINUX_TARGETS:
                if isinstance(body, dict):
                    for sub in body:
                        if sub not in ("dependencies", "pypi-dependencies", "constraints", "activation", "tasks"):
                            self.draft.report(
                                p.VARIANT,
                                f"target.{target}.{sub} is not carried over",
                                source=self.src(*layer, "target", target, sub),
                            )
                    self._activation((*layer, "target", target, "activation"))
                continue
            self.draft.report(
                p.VARIANT,
                f"target.{target} tables are not carried over: specc's targets run on linux-64",
                source=self.src(*layer, "target", target),
            )

    def _options(self, key: tuple[str, ...]) -> None:
        from specc.importers import _peers as p

        options = self.table(*key)
        draft = self.draft
        for option, value in options.items():
            source = self.src(*key, option)
            if option == "index-url" and isinstance(value, str):
                if (url := p.index_url(value, draft, source=source)) is not None:
                    draft.set(("python", "index-url"), url, source=source)
            elif option == "extra-index-urls" and isinstance(value, list):
                for text in value:
                    if isinstance(text, str) and (url := p.index_url(text, draft, source=source)) is not None:
                        draft.add(("python", "extra-index-urls"), url, source=source)
            else:
                draft.report(
                    p.PIP_OPTION,
                    f"pypi-options {option} is not carried over",
                    source=source,
                    hint="list local wheels under python.wheels" if option == "find-links" else None,
                )

    def _system_requirements(self, key: tuple[str, ...]) -> None:
        from specc.importers import _peers as p

        for name, value in self.table(*key).items():
            source = self.src(*key, name)
            if name == "cuda":
                self._cuda(str(value), source)
            else:
                self.draft.report(
                    p.VARIANT,
                    f"system-requirements {name} is not carried over: the target's image decides it",
                    source=source,
                )

    def _cuda(self, value: str, source: Source) -> None:
        from specc.importers import _peers as p

        version = p.cuda_version(value)
        if version is None:
            self.draft.report(p.CUDA, f"CUDA {value!r} is not a CUDA version", source=source)
            return
        self.draft.set(("runtime", "cuda"), version, source=source)
        if "." not in value.strip():
            self.draft.report(
                p.CUDA,
                f"CUDA {value!r} (any {value}.x for pixi's solver) is written as {version}",
                source=source,
                hint="set runtime.cuda to the minor version your packages were built for",
            )

    def _activation(self, key: tuple[str, ...]) -> None:
        from specc.importers import _peers as p

        activation = self.table(*key)
        env = activation.get("env")
        if isinstance(env, dict):
            for name, value in env.items():
                source = self.src(*key, "env", name)
                if isinstance(value, str) and ("$" in value or "%" in value):
                    self.draft.report(
                        p.ENV,
                        f"activation variable {name} refers to other variables ({value}); not carried over",
                        source=source,
                    )
                    continue
                p.env_var(str(name), value, self.draft, source=source, what="activation variable")
        scripts = activation.get("scripts")
        if scripts:
            self.draft.report(
                p.BUILD_STEP,
                f"activation scripts ({', '.join(map(str, scripts))}) are not carried over",
                source=self.src(*key, "scripts"),
            )

    # --- one dependency -------------------------------------------------------------------

    def _conda(self, name: str, value: Any, source: Source) -> None:
        from specc.importers import _peers as p

        draft = self.draft
        if isinstance(value, dict):
            if any(k in value for k in ("path", "git", "url", "workspace")):
                kind = next(k for k in ("path", "git", "url", "workspace") if k in value)
                draft.report(
                    p.SOURCE,
                    f"conda dependency {name} from a {kind} source is not carried over",
                    source=source,
                )
                return
            version = str(value.get("version", "*"))
            if value.get("build") or value.get("channel"):
                draft.report(
                    p.CONDA_NOT_CARRIED,
                    f"conda dependency {name}: its channel/build string is not carried over",
                    source=source,
                )
        else:
            version = str(value)
        if name == "pip":
            return  # the installer pixi needs for nothing specc renders; the spec always has pip
        p.conda_dependency(_match_spec(name, version), draft, source=source)

    def _pypi(self, name: str, value: Any, source: Source) -> None:
        from specc.importers import _peers as p
        from specc.importers.requirements import requirement_lines

        draft = self.draft
        if isinstance(value, str):
            requirement_lines([(_pep508(name, value, []), source)], draft)
            return
        if not isinstance(value, dict):
            draft.report(
                p.INVALID, f"pypi-dependencies {name} must be a string or a table", source=source, severity="error"
            )
            return
        extras = [str(e) for e in value.get("extras") or []]
        if "git" in value:
            draft.report(
                p.SOURCE,
                f"pypi-dependencies {name} from git ({value['git']}) is not carried over",
                source=source,
                hint="build a wheel of it (python.wheels) or pin a release from an index",
            )
            return
        if "path" in value:
            target = p.within(
                draft,
                self.folder,
                str(value["path"]),
                source=source,
                what=f"pypi-dependencies {name} path",
                needed=False,
            )
            if target is None:
                return
            if target.is_file() and target.suffix == ".whl" and not value.get("editable"):
                draft.add(("python", "wheels"), p.display_name(target, draft.root), source=source)
            else:
                what = "an editable path" if value.get("editable") else "a local folder"
                draft.report(
                    p.SOURCE,
                    f"pypi-dependencies {name} from {what} ({value['path']}) is not carried over",
                    source=source,
                    hint="build a wheel (python.wheels) or list the folder under code.paths",
                )
            return
        if "url" in value:
            requirement_lines([(f"{name}{_extras(extras)} @ {value['url']}", source)], draft)
            return
        requirement_lines([(_pep508(name, str(value.get("version", "*")), extras), source)], draft)
        if isinstance(value.get("index"), str) and (url := p.index_url(value["index"], draft, source=source)):
            draft.add(("python", "extra-index-urls"), url, source=source)
            draft.report(
                p.CARRIED,
                f"pypi-dependencies {name} comes from its own index; the index is carried over as an extra index "
                "for every package",
                source=source,
                hint="check that no other package resolves from it by mistake",
            )
        for key in value:
            if key not in ("version", "extras", "index"):
                draft.report(p.PIP_OPTION, f"pypi-dependencies {name}.{key} is not carried over", source=source)

    def _constraint(self, name: str, value: Any, source: Source) -> None:
        from specc.importers import _peers as p
        from specc.importers.conda import conda_to_requirement

        version = str(value.get("version", "*")) if isinstance(value, dict) else str(value)
        requirement = conda_to_requirement(_match_spec(name, version)) if name != "python" else None
        if requirement is None:
            self.draft.report(
                p.CONDA_NOT_CARRIED, f"conda constraint {name} {version} is not carried over", source=source
            )
            return
        self.draft.add(("python", "constraints"), requirement, source=source)
        self.draft.report(
            p.CONDA,
            f"conda constraint {name} {version} is carried over as the pip constraint {requirement!r}",
            source=source,
        )


def _match_spec(name: str, version: str) -> str:
    """pixi's (name, version spec) as one conda match spec: ``numpy >=1.26,<2``, ``python 3.11.*``."""
    version = version.strip()
    if version in ("", "*"):
        return name
    return f"{name} {version}"


def _extras(extras: list[str]) -> str:
    return f"[{','.join(extras)}]" if extras else ""


def _pep508(name: str, version: str, extras: list[str]) -> str:
    """A pixi PyPI entry as PEP 508: ``"*"`` is any version; a bare version means ``==``."""
    version = version.strip()
    if version in ("", "*"):
        return f"{name}{_extras(extras)}"
    if version[0].isdigit():
        version = "==" + version
    return f"{name}{_extras(extras)}{version}"


IMPORTER = _Importer()
