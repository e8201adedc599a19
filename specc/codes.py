"""The registry of every diagnostic code specc can emit.

One :class:`Code` per code: a stable kebab-case ``name`` (tools may key on it; it never changes
meaning, like the code), the ``severities`` it is reported with (the first is the default; a code
with two is an error in some cases and a warning in others), a one-line ``summary`` (the text of
its row in the docs) and ``doc``, the page and anchor documenting it, relative to ``docs/``.

Plain data, cheap to import (no pydantic): :mod:`specc.diagnostics` looks names up here when it
renders JSON.  tests/test_codes.py keeps it, the code base and the docs in step: every
``SPCnnn`` in specc's source is registered, every registered code is documented at its anchor
with this name, severity and summary, and every documented code is registered.

The tables in docs/ are checked and rewritten from it by :mod:`specc.codes_docs`
(``python -m specc.codes_docs --check`` / ``--write``).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Severity = Literal["error", "warning"]

__all__ = ["CODES", "Code", "lookup", "name_of"]


class Code(NamedTuple):
    code: str  # SPCnnn
    name: str  # kebab-case slug, unique
    severities: tuple[Severity, ...]  # the first is the default
    summary: str  # one line, Markdown; the "what" of its docs row
    doc: str  # page#anchor under docs/

    @property
    def severity(self) -> Severity:
        """The default severity."""
        return self.severities[0]

    @property
    def severity_text(self) -> str:
        """As the docs' severity column shows it: ``error``, ``error / warning``."""
        return " / ".join(self.severities)


E: tuple[Severity, ...] = ("error",)
W: tuple[Severity, ...] = ("warning",)
EW: tuple[Severity, ...] = ("error", "warning")

_READ = "diagnostics.md#reading-the-file"
_SYNTAX = "diagnostics.md#syntax-and-shape"
_MEANING = "diagnostics.md#meaning"
_TARGETS = "diagnostics.md#targets"
_COMPAT = "diagnostics.md#runtime-compatibility"
_SECURITY = "diagnostics.md#security"
_INTERNAL = "diagnostics.md#internal"
_DATABRICKS = "databricks.md#diagnostics-of-this-target"
_DOCKER = "docker.md#what-the-docker-target-cannot-express-diagnostics"
_CHECK = "check.md#finding-codes-spc5xx"

# one entry per code, laid out by hand for reading
# fmt: off
_ALL: tuple[Code, ...] = (
    # --- SPC0xx reading the file
    Code("SPC001", "spec-unreadable", E, "the spec file does not exist or cannot be read", _READ),
    Code("SPC002", "not-a-spec-file", E, "the path is a folder without `model-env.toml`, or not a regular file", _READ),
    Code("SPC003", "not-utf8-text", E, "the file is binary or not UTF-8", _READ),
    Code("SPC004", "spec-too-large", E, "the file is larger than 1 MiB (surely not a spec)", _READ),
    # --- SPC1xx syntax and shape
    Code("SPC100", "toml-syntax", E, "invalid TOML (with the position `tomllib` reports)", _SYNTAX),
    Code("SPC101", "unknown-key", E, "unknown key or section; the hint suggests the closest valid key", _SYNTAX),
    Code("SPC102", "wrong-type", E, "wrong TOML type (e.g. a number where a string is expected)", _SYNTAX),
    Code(
        "SPC103", "invalid-requirement", E, "invalid PEP 508 requirement, marker or extra; constraints with extras",
        _SYNTAX,
    ),
    Code("SPC104", "missing-key", E, "a required key is missing (`spec-version`, `runtime.python`)", _SYNTAX),
    Code(
        "SPC105", "invalid-choice", E,
        "invalid choice (`mlflow.pip`, `data-security-mode`, `version` with `specifier`, ...)", _SYNTAX,
    ),
    Code("SPC106", "unsupported-spec-version", E, "unsupported `spec-version`", _SYNTAX),
    Code("SPC107", "invalid-python-version", E, 'invalid `runtime.python` (`"3.11"` or `"3.11.9"`)', _SYNTAX),
    Code("SPC108", "invalid-model-name", E, "invalid `model.name` (`[a-z0-9][a-z0-9._-]*`)", _SYNTAX),
    Code("SPC109", "invalid-apt-package", E, "invalid apt package name or version (Debian policy)", _SYNTAX),
    Code("SPC110", "invalid-maven-coordinates", E, "invalid Maven coordinates (`group:artifact:version`)", _SYNTAX),
    Code("SPC111", "invalid-maven-exclusion", E, "invalid Maven exclusion (`group:artifact`)", _SYNTAX),
    Code("SPC112", "invalid-r-package", E, "invalid R package name or version", _SYNTAX),
    Code("SPC113", "invalid-env-name", E, "invalid environment variable name (`[A-Z_][A-Z0-9_]*`)", _SYNTAX),
    Code("SPC114", "invalid-secret-name", E, "invalid secret name (`[A-Z_][A-Z0-9_]*`)", _SYNTAX),
    Code("SPC115", "invalid-url", E, "invalid URL (not http(s), whitespace, unterminated `${`)", _SYNTAX),
    Code("SPC116", "invalid-version", E, "invalid PEP 440 version or specifier in a table-form requirement", _SYNTAX),
    Code("SPC117", "invalid-cuda-version", E, "invalid `runtime.cuda`", _SYNTAX),
    Code("SPC118", "invalid-wheel-name", E, "a wheel file name that `packaging` cannot parse", _SYNTAX),
    Code(
        "SPC119", "unsupported-requirements-line", E,
        "a requirements file line specc cannot ship (`-e`, `--index-url`, other pip options, cycles)", _SYNTAX,
    ),
    Code("SPC120", "empty-path", E, "an empty path", _SYNTAX),
    Code(
        "SPC122", "invalid-secret-reference", E,
        "invalid Databricks secret reference (`scope/key`) or BuildKit secret id", _SYNTAX,
    ),
    Code("SPC123", "invalid-port", E, "`targets.docker.port` outside 1-65535", _SYNTAX),
    Code(
        "SPC124", "invalid-cluster-size", E, "invalid cluster size (`workers` with `autoscale`, bad autoscale range)",
        _SYNTAX,
    ),
    Code("SPC125", "invalid-artifact-name", E, "invalid artifact name", _SYNTAX),
    Code("SPC126", "invalid-platform", E, "invalid `targets.docker.platform` (`os/arch`)", _SYNTAX),
    Code("SPC127", "invalid-image-reference", E, "invalid image reference in `targets.docker.base-image`", _SYNTAX),
    Code(
        "SPC128", "invalid-databricks-path", E,
        "a Databricks path that is not `/Volumes/...` or `/Workspace/...` (DBFS is rejected)", _SYNTAX,
    ),
    # --- SPC2xx meaning
    Code(
        "SPC201", "conflicting-versions", E,
        "conflicting versions of one package (pip, apt, Maven, R, two wheels of one project)", _MEANING,
    ),
    Code(
        "SPC202", "unpinned-requirement", W,
        "a requirement is unpinned or a range: pin the exact version you trained with", _MEANING,
    ),
    Code(
        "SPC203", "unknown-databricks-runtime", E,
        "unknown Databricks runtime; the hint suggests close ones (`specc runtimes` lists all)", _MEANING,
    ),
    Code("SPC204", "path-not-found", E, "a path does not exist", _MEANING),
    Code(
        "SPC206", "code-path-name-clash", E,
        "two code paths with the same final name (MLflow copies both to `code/<name>`)", _MEANING,
    ),
    Code(
        "SPC207", "egg-not-supported", E, "an `.egg` (pip and DBR 14+ no longer install eggs): build a wheel", _MEANING
    ),
    Code(
        "SPC208", "wrong-file-kind", E,
        "wrong kind of file (a folder for a file, `.rpm` for a `.deb`, a misnamed R source package)", _MEANING,
    ),
    Code(
        "SPC209", "unreadable-path", E,
        "the operating system refuses a path: too long, a symlink loop, permission denied, a file used as a folder",
        _MEANING,
    ),
    Code("SPC210", "sha256-mismatch", E, "a file's sha256 differs from the one the spec pins", _MEANING),
    Code("SPC211", "wheel-and-requirement", W, "a package is both a local wheel and a requirement", _MEANING),
    Code(
        "SPC212", "python-runtime-mismatch", E, "`runtime.python` differs from the Databricks runtime's Python",
        _MEANING,
    ),
    Code("SPC213", "cuda-without-gpu-runtime", W, "`runtime.cuda` set with a non-GPU Databricks runtime", _MEANING),
    Code(
        "SPC214", "scala-version-mismatch", E,
        "a Maven artifact's Scala suffix (`_2.12`/`_2.13`) differs from the Databricks runtime's Scala", _COMPAT,
    ),
    Code(
        "SPC215", "replaces-preinstalled-package", W,
        "a pin replaces a package the Databricks runtime preinstalls (both versions named) "
        "and `runtime.overrides` does not acknowledge it", _COMPAT,
    ),
    Code(
        "SPC216", "unneeded-override", W,
        "`runtime.overrides` names a package no requirement replaces on the runtime (or names it twice)", _COMPAT,
    ),
    # --- SPC3xx a target cannot express part of the spec
    Code(
        "SPC301", "serverless-needs-init-script", E,
        "a serverless Databricks runtime with apt packages, debs or an authenticated index (no init scripts there)",
        _TARGETS,
    ),
    Code(
        "SPC310", "mlflow-code-name-clash", E,
        "MLflow: two files would land at the same `code/<name>` in the model "
        "(a code path or wheel named like specc's own folder)",
        _TARGETS,
    ),
    Code(
        "SPC320", "databricks-runtime-defaulted", W,
        "`runtime.databricks` unset and no training runtime recorded: "
        "the newest LTS ML runtime with the spec's Python is used",
        _DATABRICKS,
    ),
    Code(
        "SPC321", "databricks-maven-auth", E,
        "an authenticated Maven repository (Databricks resolves Maven without credentials): "
        "ship the jar in `maven.jars`",
        _DATABRICKS,
    ),
    Code(
        "SPC322", "requirements-library-needs-dbr15", E,
        "`requirements-library = true` on a runtime older than DBR 15.0", _DATABRICKS,
    ),
    Code(
        "SPC323", "serverless-unsupported", E,
        "a serverless runtime with Maven coordinates, R packages or pip constraints", _DATABRICKS,
    ),
    Code(
        "SPC324", "no-node-type", W,
        "no `targets.databricks.cluster.node-type`: the cluster and job specs lack `node_type_id`", _DATABRICKS,
    ),
    Code(
        "SPC325", "secret-unmapped", EW,
        "a secret without a `databricks` mapping: an error when the init script's pip needs it, "
        "else a warning (it is not in `spark_env_vars`)",
        _DATABRICKS,
    ),
    Code(
        "SPC326", "duplicate-upload", E,
        "two private files of one kind with the same file name (they would be uploaded to one path)", _DATABRICKS,
    ),
    Code(
        "SPC327", "requirements-library-ignored", W,
        "`requirements-library = true` ignored because pip runs in the init script", _DATABRICKS,
    ),
    Code(
        "SPC328", "model-runtime-unknown", E,
        "the model's recorded runtime is unknown, or no LTS ML runtime runs the spec's Python", _DATABRICKS,
    ),
    Code("SPC330", "base-image-not-pinned", W, "`targets.docker.base-image` is a tag without a digest", _DOCKER),
    Code(
        "SPC331", "databricks-runtime-not-in-image", W,
        "`runtime.databricks` is set: the image holds only what the spec lists, "
        "not the runtime's preinstalled libraries or Spark",
        _DOCKER,
    ),
    Code(
        "SPC332", "python-patch-on-cuda-base", W,
        "a patch-level `runtime.python` on a CUDA default base (deadsnakes gives its latest patch)", _DOCKER,
    ),
    Code("SPC333", "repository-credentials", E, "credentials (`${NAME}`) in a Maven or R repository URL", _DOCKER),
    Code(
        "SPC334", "control-character", E,
        "a line break or control character in an `[env]` value, requirement, index URL or repository URL "
        "(a Dockerfile cannot hold it)",
        _DOCKER,
    ),
    Code("SPC335", "no-cuda-base-image", E, "`runtime.cuda` with no default CUDA image: set `base-image`", _DOCKER),
    Code(
        "SPC336", "mlflow-version-differs", W,
        "the model was logged with a different MLflow than the image serves it with", _DOCKER,
    ),
    Code("SPC337", "duplicate-file-name", E, "two wheels, debs, jars or R sources with the same file name", _DOCKER),
    Code(
        "SPC338", "lock-does-not-cover-image", E,
        "`--locked`: `model-env.lock` has no resolution for the image's platform, or the image serves the model "
        "but the lock pins no `mlflow`/`mlflow-skinny` ([docs/lock.md](lock.md))",
        _DOCKER,
    ),
    # --- SPC4xx security
    Code(
        "SPC401", "literal-credential", E,
        "a literal credential in a URL (`user:pass@`, `?token=`): use `${SECRET}` placeholders", _SECURITY,
    ),
    Code(
        "SPC402", "path-escapes-repository", E,
        "a path that is absolute, escapes the repository, or is a symlink pointing outside", _SECURITY,
    ),
    Code("SPC403", "undeclared-secret", E, "`${NAME}` names no declared `[secrets.NAME]`", _SECURITY),
    Code(
        "SPC404", "env-var-secret", EW,
        "an env var that is also a secret (error); an env var that looks like a credential (warning)", _SECURITY,
    ),
    Code("SPC405", "unsafe-path-characters", E, "a path with backslashes or control characters", _SECURITY),
    Code("SPC406", "plain-http-index", W, "a package index over plain http to a host other than localhost", _SECURITY),
    # --- SPC5xx drift (specc check)
    Code(
        "SPC501", "requirement-missing-from-model", E,
        "the spec requires a package the model's `requirements.txt` does not list", _CHECK,
    ),
    Code(
        "SPC502", "requirement-differs", E,
        "the model lists the package with another version/specifier, extras or URL", _CHECK,
    ),
    Code(
        "SPC503", "requirement-not-in-spec", EW,
        "the model requires a package the spec does not (exact/conda mode); "
        "a warning when the flavor's default requirements cannot be determined here",
        _CHECK,
    ),
    Code(
        "SPC504", "requirements-line-differs", E,
        "a non-requirement line (index URL, `code/<wheel>`, path) missing from or extra in `requirements.txt`", _CHECK,
    ),
    Code(
        "SPC505", "constraints-differ", E,
        "`constraints.txt` differs from `python.constraints`, "
        "or `requirements.txt` lost its `-c constraints.txt` line",
        _CHECK,
    ),
    Code("SPC510", "code-missing", E, "a code path is missing from the model", _CHECK),
    Code(
        "SPC511", "code-differs", E,
        "a code path's files differ (changed / only in the spec / only in the model)", _CHECK,
    ),
    Code("SPC512", "artifact-missing", E, "an `[artifacts]` entry is missing from the model", _CHECK),
    Code("SPC513", "artifact-differs", E, "an artifact's files differ", _CHECK),
    Code(
        "SPC514", "package-missing", E,
        "a wheel or private package (.deb, jar, R source) is missing from the model", _CHECK,
    ),
    Code("SPC515", "package-differs", E, "a wheel or private package differs (sha256)", _CHECK),
    Code(
        "SPC520", "environment-artifact-missing", E,
        "the model has no `specc-environment.json` (not logged with specc's kwargs)", _CHECK,
    ),
    Code(
        "SPC521", "environment-differs", E,
        "a non-Python section differs (runtime, apt, maven, r, env, secrets, model, targets); one finding per item",
        _CHECK,
    ),
    Code("SPC530", "python-env-differs", E, "`python_env.yaml` names another Python than `runtime.python`", _CHECK),
    Code(
        "SPC531", "mlmodel-python-differs", E,
        "MLmodel `python_version` is another Python than `runtime.python`", _CHECK,
    ),
    Code(
        "SPC532", "databricks-runtime-differs", E,
        "MLmodel `databricks_runtime` is another runtime than `runtime.databricks`", _CHECK,
    ),
    Code(
        "SPC533", "databricks-runtime-unrecorded", W,
        "the model was logged on Databricks, the spec names no runtime", _CHECK,
    ),
    Code("SPC540", "uv-files-in-model", E, "`uv.lock` or `pyproject.toml` in the model folder", _CHECK),
    Code("SPC541", "absolute-path-in-requirements", E, "an absolute local path in `requirements.txt`", _CHECK),
    Code("SPC542", "requirements-txt-missing", E, "the model has no `requirements.txt`", _CHECK),
    Code(
        "SPC550", "not-installed", E,
        "`--env`: a required package (or a local wheel's package) is not installed", _CHECK,
    ),
    Code(
        "SPC551", "installed-version-differs", E,
        "`--env`: the installed version is outside the spec's specifier", _CHECK,
    ),
    Code("SPC552", "interpreter-differs", E, "`--env`: this interpreter is not `runtime.python`", _CHECK),
    Code(
        "SPC553", "installed-wheel-differs", E,
        "`--env`: the installed version of a local wheel's package differs from the wheel", _CHECK,
    ),
    Code("SPC560", "lock-unreadable", E, "`model-env.lock` is unreadable or of an unknown version", _CHECK),
    Code(
        "SPC561", "lock-stale", E,
        "`model-env.lock` is stale (names the changed parts: runtime, python, apt, maven, r)", _CHECK,
    ),
    Code(
        "SPC562", "model-differs-from-lock", E,
        "`--model`: the model pins a package at another version than the lock's", _CHECK,
    ),
    Code(
        "SPC563", "env-differs-from-lock", E,
        "`--env`: a locked package is not installed, or installed at another version", _CHECK,
    ),
    # --- SPC9xx internal
    Code(
        "SPC900", "internal-error", E,
        "a bug in specc (exit code 3); rerun with `SPECC_DEBUG=1` and report it", _INTERNAL,
    ),
)
# fmt: on

# code → entry, in code order
CODES: dict[str, Code] = {c.code: c for c in sorted(_ALL)}


def lookup(code: str) -> Code | None:
    """The registry entry of ``code`` (``"SPC103"``), or None for an unknown code."""
    return CODES.get(code)


def name_of(code: str) -> str | None:
    """``"SPC103"`` → ``"invalid-requirement"`` (None for an unknown code)."""
    entry = CODES.get(code)
    return entry.name if entry is not None else None
