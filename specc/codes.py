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
_WORKSPACE = "diagnostics.md#databricks-workspace-rules"
_INTERNAL = "diagnostics.md#internal"
_DATABRICKS = "databricks.md#diagnostics-of-this-target"
_DOCKER = "docker.md#what-the-docker-target-cannot-express-diagnostics"
_SERVING = "databricks.md#diagnostics-of-model-serving"
_CHECK = "check.md#finding-codes-spc5xx"
_LOCK = "lock.md#lock-codes-spc6xx"
_SBOM = "sbom.md#diagnostics-spc75x-spc76x"
_DIFF = "diff.md#diff-codes-spc78x"
_EXPLAIN = "explain.md#diagnostics"
_IMPORT = "import.md#import-codes"
_PEERS = "diagnostics.md#import-from-peers-build-files"

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
        "a requirement line specc cannot ship (`-e`, `--index-url`, `--hash` and other pip options, cycles)", _SYNTAX,
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
    Code(
        "SPC129", "invalid-serving-endpoint-name", E,
        "invalid `targets.databricks.serving.endpoint-name` (letters, digits, `-`, `_`; not `databricks-...`)",
        _SYNTAX,
    ),
    Code(
        "SPC130", "invalid-serving-workload", E,
        "invalid `targets.databricks.serving.workload-type` or `workload-size`", _SYNTAX,
    ),
    Code(
        "SPC131", "unsupported-direct-reference", E,
        "a requirement URL no target can install (`file:` or VCS `git+...`): ship a wheel", _SYNTAX,
    ),
    Code(
        "SPC132", "unknown-python-version", EW,
        "`runtime.python` names a CPython release that does not exist (error) or that is newer than the "
        "releases specc knows (warning)", _SYNTAX,
    ),
    Code(
        "SPC133", "unknown-mlflow-flavor", E,
        "`[mlflow] flavor` names no MLflow flavor (the hint suggests the closest)", _SYNTAX,
    ),
    Code(
        "SPC135", "path-permission-denied", E,
        "a command cannot look at or into a path it reads or writes (permission denied on it or a folder "
        "above it); nothing is written", _READ,
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
        "`runtime.overrides` names a package the runtime does not preinstall, one a requirement or the "
        "lock (`specc lock`) keeps at the runtime's version, or one twice", _COMPAT,
    ),
    Code(
        "SPC217", "file-content-mismatch", E,
        "a file's content is not what its name says (a `.deb` that is no ar archive, a `.whl` or `.jar` that is "
        "no zip, an R source package that is no gzip'd tar, a Git LFS pointer)", _MEANING,
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
        "SPC311", "mlflow-artifact-name-reserved", E,
        "MLflow: an `[artifacts]` key specc logs its own files under (`specc_environment`, "
        "`specc_private_packages`)",
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
        "a serverless runtime with Maven coordinates, R packages, pip constraints, `[env]` or secrets with a "
        "`databricks` mapping (a serverless job gets no environment variables)",
        _DATABRICKS,
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
    Code(
        "SPC350", "standard-mode-ml-runtime", E,
        "an ML or GPU runtime on standard access mode (`USER_ISOLATION` / `DATA_SECURITY_MODE_STANDARD`)",
        _WORKSPACE,
    ),
    Code("SPC351", "standard-mode-r", E, "R packages on standard access mode (R is not supported there)", _WORKSPACE),
    Code(
        "SPC352", "volume-path-shape", E,
        "a `/Volumes` path without `/<catalog>/<schema>/<volume>` (`libraries-dir`, `init-script`)", _WORKSPACE,
    ),
    Code(
        "SPC353", "volumes-need-dbr-13-3", E,
        "`libraries-dir` or `init-script` in a volume on a runtime older than 13.3 LTS", _WORKSPACE,
    ),
    Code(
        "SPC354", "node-type-runtime-mismatch", W,
        "a GPU runtime on a known CPU instance family, or a non-GPU runtime on a GPU instance family", _WORKSPACE,
    ),
    Code(
        "SPC355", "init-script-outside-volumes", E,
        "an init script stored outside a volume that reads files from a volume `libraries-dir`", _WORKSPACE,
    ),
    Code(
        "SPC356", "apt-pin-not-ubuntu", W,
        "an apt `name=version` pin on Databricks, which installs Ubuntu's versions, not Debian's", _WORKSPACE,
    ),
    Code(
        "SPC357", "standard-mode-allowlist", W,
        "standard access mode: the init script, jars and Maven coordinates must be on the Unity Catalog allowlist",
        _WORKSPACE,
    ),
    Code(
        "SPC358", "env-value-expanded", E,
        "a `$`, a backtick, `\"` or `\\` in an `[env]` value: Databricks puts `spark_env_vars` in a double-quoted "
        "shell word, which interprets them; values are literal",
        _WORKSPACE,
    ),
    Code(
        "SPC359", "libraries-dir-required", E,
        "files to upload and no `libraries-dir` (the only default, `/Workspace/Shared`, is writable by every user)",
        _WORKSPACE,
    ),
    Code(
        "SPC360", "invalid-registered-model-name", EW,
        "`--model-name` is no registered-model name: empty, `/` or `:`, a Unity Catalog part with a space, "
        "a period or a control character (error); a dotted name that is not catalog.schema.model (warning)",
        _TARGETS,
    ),
    Code(
        "SPC361", "notebook-in-shared-folder", W,
        "a volume `libraries-dir` and no `notebook-dir`: the job's notebook falls back to `/Workspace/Shared`, "
        "which every workspace user can change", _WORKSPACE,
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
        "(a Dockerfile cannot hold it; on Databricks an `[env]` value with one is refused too)",
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
        "but the lock pins no `mlflow`/`mlflow-skinny` or a package its scoring server imports "
        "([docs/lock.md](lock.md))",
        _DOCKER,
    ),
    Code(
        "SPC339", "model-requirement-not-installable", E,
        "`--model`: a line of the model's `requirements.txt` the image cannot install (an absolute path, a file "
        "missing from the model), or with `--locked` a requirement `model-env.lock` does not pin",
        _DOCKER,
    ),
    Code(
        "SPC344", "secret-not-in-image", W,
        "a secret no index or requirement URL names: the image does not carry it, pass it at `docker run` "
        "(BUILD.md shows `-e NAME`)",
        _DOCKER,
    ),
    Code(
        "SPC345", "secret-id-collision", E,
        "two secrets with one Docker secret id (`docker = \"...\"`, default: the name in lower case)", _DOCKER,
    ),
    Code(
        "SPC340", "serving-cannot-install", E,
        "a Model Serving endpoint cannot install apt packages, debs, Maven packages, jars or R packages "
        "(it installs the model's Python requirements and runs no init script)",
        _SERVING,
    ),
    Code(
        "SPC341", "serving-index-credentials", E,
        "Model Serving cannot expand `${NAME}` credentials in an index or requirement URL: use the workspace's "
        "default package repositories or wheels logged with the model",
        _SERVING,
    ),
    Code(
        "SPC342", "serving-model-version", E,
        "`--model-version` is not a version number (a served entity names one registered version)", _SERVING,
    ),
    Code(
        "SPC343", "serving-cpu-for-gpu-model", W,
        "a CPU `workload-type` for a spec that sets `runtime.cuda`", _SERVING,
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
    Code(
        "SPC407", "installer-owned-name", EW,
        "a secret or `[env]` name an installer reads as its option (`PIP_*`, `JAVA_TOOL_OPTIONS`, ...): "
        "an error where an installer sees it, a warning where a tool may at run time",
        _SECURITY,
    ),
    Code(
        "SPC408", "target-owned-name", EW,
        "a secret or `[env]` name the target sets itself or its platform owns (`PATH`, `PYTHONPATH`, `SPECC_*`, "
        "`DB_*`, ...): an error where it breaks the target, a warning where a value can be legitimate "
        "(`LD_PRELOAD`, `LD_LIBRARY_PATH`, `DATABRICKS_*`)",
        _SECURITY,
    ),
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
        "SPC520", "environment-artifact-missing", EW,
        "the model has no `specc-environment.json` (not logged with specc's kwargs); a warning in "
        "`specc render --model`", _CHECK,
    ),
    Code(
        "SPC521", "environment-differs", E,
        "a non-Python section differs (runtime, apt, maven, r, env, secrets, model, targets); one finding per item",
        _CHECK,
    ),
    Code(
        "SPC530", "python-env-differs", EW,
        "`python_env.yaml` names another Python than `runtime.python` (`render --model`: a warning when only "
        "the patch differs)", _CHECK,
    ),
    Code(
        "SPC531", "mlmodel-python-differs", EW,
        "MLmodel `python_version` is another Python than `runtime.python` (`render --model`: a warning when "
        "only the patch differs)", _CHECK,
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
        "`--env`: the installed version is outside the spec's specifier (a requirement's or a constraint's)", _CHECK,
    ),
    Code("SPC552", "interpreter-differs", E, "`--env`: this interpreter is not `runtime.python`", _CHECK),
    Code(
        "SPC553", "installed-wheel-differs", E,
        "`--env`: the installed version of a local wheel's package differs from the wheel", _CHECK,
    ),
    Code("SPC560", "lock-unreadable", E, "retired: `specc check` reports an unreadable lock as SPC612", _CHECK),
    Code(
        "SPC561", "lock-stale", E,
        "retired: `specc check` reports a stale lock as SPC613", _CHECK,
    ),
    Code(
        "SPC562", "model-differs-from-lock", E,
        "`--model`: the model pins a package at another version than the lock's", _CHECK,
    ),
    Code(
        "SPC563", "env-differs-from-lock", E,
        "`--env`: a locked package is not installed, or installed at another version", _CHECK,
    ),
    # --- SPC6xx lock
    Code(
        "SPC601", "runtime-version-replaced", W,
        "a locked version differs from the one the Databricks runtime preinstalls; the cluster's copy "
        "is replaced", _LOCK,
    ),
    Code(
        "SPC602", "resolution-failed", E,
        "`uv pip compile` failed (unsatisfiable requirements, an unreachable index; uv's explanation is "
        "included), or uv is not installed", _LOCK,
    ),
    Code(
        "SPC603", "index-credential-missing", E,
        "an index URL or direct reference names a `${NAME}` the environment does not set, or a "
        "credential would reach the lock", _LOCK,
    ),
    Code(
        "SPC604", "compiled-package-conflict", E,
        "a platform-specific package held at the runtime's version by the spec depends on a package the "
        "requirements move across a major version", _LOCK,
    ),
    Code(
        "SPC605", "kept-in-runtime-major", W,
        "a runtime package is kept below its next major version so that compiled packages built against "
        "it keep working", _LOCK,
    ),
    Code(
        "SPC606", "runtime-preference-dropped", W,
        "the runtime's version of a compiled package is not kept: a dependency moved across a major "
        "version", _LOCK,
    ),
    Code(
        "SPC607", "lock-platform-added", W,
        "re-locking added a platform a target now needs (a Databricks cluster's, a Docker image's) to the "
        "platforms the lock already had", _LOCK,
    ),
    Code(
        "SPC608", "lock-platform-left-out", W,
        "an explicit `--platform` list leaves out a platform a target needs; its `--locked` fails (SPC620) "
        "and `lock --check` reports the lock stale", _LOCK,
    ),
    Code(
        "SPC609", "lock-platform-unsupported", W,
        "a target installs on a platform uv cannot resolve for (a Docker `linux/ppc64le`); its `--locked` "
        "cannot use the lock", _LOCK,
    ),
    Code(
        "SPC610", "existing-lock-ignored", W,
        "the existing `model-env.lock` cannot be read; it is re-created and its pins are not "
        "kept", _LOCK,
    ),
    Code("SPC611", "lock-missing", E, "no `model-env.lock` next to the spec (`--check`, `--locked`)", _LOCK),
    Code(
        "SPC612", "lock-file-invalid", E,
        "`model-env.lock` is not valid TOML, not a lock, or of an unsupported "
        "`lock-version`", _LOCK,
    ),
    Code(
        "SPC613", "lock-out-of-date", E,
        "the spec changed since the lock was made; the message names each stale "
        "part", _LOCK,
    ),
    Code(
        "SPC614", "unknown-extra", W,
        "a requirement asks for an extra its package does not have (uv's warning): nothing is installed "
        "for it", _LOCK,
    ),
    Code(
        "SPC615", "upgrade-package-not-locked", W,
        "`--upgrade-package NAME` names a package that is in neither the previous lock nor the new one "
        "(a misspelt name upgrades nothing)", _LOCK,
    ),
    Code(
        "SPC620", "lock-platform-missing", E,
        "`--locked` on a target whose platform the lock has no resolution "
        "for", _LOCK,
    ),
    Code("SPC630", "locked-import-fails", E, "`--verify`: a locked distribution's module does not import", _LOCK),
    Code(
        "SPC631", "locked-install-fails", E,
        "`--verify`: the locked set does not install for this machine's "
        "platform", _LOCK,
    ),
    Code(
        "SPC632", "cannot-verify-here", E,
        "`--verify`: this machine's platform is not locked, or the lock's Python is not installed "
        "here", _LOCK,
    ),
    Code(
        "SPC633", "runtime-import-fails", E,
        "`--verify`: a package the Databricks runtime preinstalls does not import over the locked "
        "set", _LOCK,
    ),
    Code(
        "SPC634", "overlay-incomplete", W,
        "`--verify`: part of the runtime could not be installed or imported here (not on PyPI, no "
        "metadata, provided outside pip)", _LOCK,
    ),
    Code(
        "SPC635", "runtime-import-fails-anyway", W,
        "`--verify`: a package the Databricks runtime preinstalls fails to import on the runtime's "
        "own versions too, without the lock (not counted against it)", _LOCK,
    ),
    Code(
        "SPC650", "conda-note", W,
        "`--conda`: something the conda-lock file cannot express (a constraint listed as a requirement, "
        "a local wheel left out)", _LOCK,
    ),
    Code(
        "SPC651", "conda-lock-not-run", W,
        "`--conda`: conda-lock, a conda solver or the channel is missing; the file is written and the "
        "command to run later is shown", _LOCK,
    ),
    Code("SPC652", "conda-lock-failed", E, "`--conda`: conda-lock ran and failed", _LOCK),
    # --- SPC75x sbom, SPC76x pylock export (docs/sbom.md)
    Code(
        "SPC750", "sbom-unknown-distribution", W,
        "`specc sbom`: the base's distribution is unknown, so its apt packages get no package URL", _SBOM,
    ),
    Code(
        "SPC751", "sbom-unknown-runtime", W,
        "`specc sbom`: the Databricks runtime is unknown, so the SBOM has no platform component", _SBOM,
    ),
    Code(
        "SPC752", "sbom-library-missing", E,
        "`specc sbom`: cyclonedx-python-lib is not installed (the `sbom` extra)", _SBOM,
    ),
    Code(
        "SPC760", "pylock-export-failed", E,
        "`--format pylock`: uv could not list the locked files (index or cache unreachable)", _SBOM,
    ),
    Code(
        "SPC761", "pylock-lock-mismatch", E,
        "`--format pylock`: the index serves another version, or no file with a hash the lock accepts", _SBOM,
    ),
    Code(
        "SPC762", "pylock-file-name", E,
        "`--format pylock`: the output is not named `pylock.toml` or `pylock.<name>.toml` (PEP 751)", _SBOM,
    ),
    Code(
        "SPC763", "pylock-left-out", W,
        "`--format pylock`: packages only the lock's implied requirements need (the model's mlflow pin, an "
        "image's model server) are left out", _SBOM,
    ),
    # --- SPC78x specc diff (docs/diff.md)
    Code(
        "SPC780", "diff-input-missing", E,
        "`specc diff`: a side is no file, folder or model URI (exit code 2)", _DIFF,
    ),
    Code(
        "SPC781", "diff-lock-invalid", E,
        "`specc diff`: a `model-env.lock` side is not valid TOML, not a lock, or of an unsupported "
        "`lock-version` (exit code 2)", _DIFF,
    ),
    Code(
        "SPC782", "diff-model-unreadable", E,
        "`specc diff`: a model side is no MLflow model, cannot be downloaded, or its MLmodel or "
        "`specc-environment.json` is malformed (exit code 2)", _DIFF,
    ),
    # --- SPC77x specc explain
    Code("SPC770", "explain-unknown-file", E, "`specc explain`: FILE is not an output file of the target", _EXPLAIN),
    Code("SPC771", "explain-line-out-of-range", E, "`specc explain`: FILE:LINE is past the end of FILE", _EXPLAIN),
    Code("SPC772", "explain-unknown-field", E, "`specc explain`: FILE#/pointer names no field of FILE", _EXPLAIN),
    Code(
        "SPC773", "explain-wrong-address", E,
        "`specc explain`: a line of a JSON file (explained by pointer) or a pointer into a text file", _EXPLAIN,
    ),
    Code("SPC774", "explain-ambiguous-file", E, "`specc explain`: FILE names several output files", _EXPLAIN),
    # --- SPC70x-SPC72x specc import (requirements, conda, repo2docker, mlflow)
    Code(
        "SPC700", "import-source-unreadable", E,
        "`specc import`: the source does not exist, cannot be read or parsed", _IMPORT,
    ),
    Code(
        "SPC701", "import-kind-unknown", E,
        "`specc import`: no importer recognizes the source, or `--from` names an unknown kind", _IMPORT,
    ),
    Code(
        "SPC702", "import-output-exists", E,
        "`specc import`: the output file exists and `--force` was not given", _IMPORT,
    ),
    Code(
        "SPC703", "import-conflict", W,
        "`specc import`: two places give one key different values; the first is kept", _IMPORT,
    ),
    Code(
        "SPC704", "import-secret-mapped", W,
        "`specc import`: a credential became a declared secret with a conventional Databricks mapping", _IMPORT,
    ),
    Code(
        "SPC705", "import-python-assumed", W,
        "`specc import`: the source names no Python version; one is assumed", _IMPORT,
    ),
    Code(
        "SPC706", "import-entry-dropped", W,
        "`specc import`: an entry the spec's loader rejects is left out", _IMPORT,
    ),
    Code(
        "SPC707", "import-model-download-failed", E,
        "`specc import`: a `models:/` or `runs:/` URI cannot be downloaded", _IMPORT,
    ),
    Code(
        "SPC708", "import-default-chosen", W,
        "`specc import`: a key a target requires that the source does not give (Databricks' libraries-dir) "
        "is set to a default to change", _IMPORT,
    ),
    Code("SPC710", "pip-option-not-carried", W, "a pip option with no spec equivalent is not carried over", _IMPORT),
    Code(
        "SPC711", "requirement-not-carried", W,
        "a requirement line that is not shippable PEP 508 (editable, local path, VCS URL, invalid) is not carried over",
        _IMPORT,
    ),
    Code(
        "SPC712", "requirements-include-not-followed", W,
        "a `-r`/`-c` file that is missing, a URL or a cycle is not followed", _IMPORT,
    ),
    Code(
        "SPC715", "conda-package-mapped", W,
        "a conda package became a PyPI requirement through the vendored name mapping", _IMPORT,
    ),
    Code(
        "SPC716", "conda-package-not-carried", W,
        "a conda package with no PyPI equivalent, or a match spec pip cannot express, is left out", _IMPORT,
    ),
    Code(
        "SPC717", "conda-channel-not-carried", W,
        "conda channels are not carried over (the spec installs from PyPI)", _IMPORT,
    ),
    Code(
        "SPC718", "conda-field-not-carried", W,
        "an `environment.yml` field with no spec equivalent (`variables`, `prefix`, ...)", _IMPORT,
    ),
    Code(
        "SPC720", "repo2docker-file-not-carried", W,
        "a repo2docker file specc does not translate (`postBuild`, `start`, `Dockerfile`, ...)", _IMPORT,
    ),
    Code(
        "SPC721", "repo2docker-line-not-carried", W,
        "a line of `runtime.txt`, `apt.txt`, `install.R` or `DESCRIPTION` that cannot be carried over", _IMPORT,
    ),
    Code(
        "SPC722", "repo2docker-config-ambiguous", E,
        "the folder has both `binder/` and `.binder/`, which repo2docker refuses to build", _IMPORT,
    ),
    Code(
        "SPC725", "mlflow-model-file-not-carried", W,
        "a part of a logged model that is not carried over (`code/` of a downloaded model, a conda-only "
        "package)", _IMPORT,
    ),
    Code(
        "SPC726", "mlflow-runtime-not-carried", W,
        "the model's `databricks_runtime` names no runtime specc knows, or only a version (ML or standard?)", _IMPORT,
    ),
    # --- SPC73x-SPC74x specc import from peers' build files (cog, bentoml, truss, pixi, pylock)
    Code(
        "SPC730", "peer-file-invalid", E,
        "`specc import`: a peer's file (cog.yaml, bentofile.yaml, config.yaml, pixi.toml, pylock.toml) "
        "cannot be read or parsed, or a key has the wrong shape", _PEERS,
    ),
    Code(
        "SPC731", "build-step-not-carried", W,
        "a build command or script (cog `run`, BentoML `setup_script`, Truss `build_commands`, pixi tasks) "
        "is not carried over", _PEERS,
    ),
    Code(
        "SPC732", "peer-setting-not-carried", W,
        "a serving, platform or metadata setting with no spec counterpart is not carried over", _PEERS,
    ),
    Code(
        "SPC733", "installer-option-not-carried", W,
        "an installer option with no spec field (`trusted_host`, `find_links`, `pip_args`, pixi "
        "`pypi-options`, ...) is not carried over", _PEERS,
    ),
    Code(
        "SPC734", "peer-python-assumed", W,
        "the file names no exact Python version: the peer's default or one deduced from a range or "
        "wheel tags is written", _PEERS,
    ),
    Code(
        "SPC735", "peer-conda-package", W,
        "a conda package became its PyPI equivalent", _PEERS,
    ),
    Code(
        "SPC736", "system-package-not-carried", W,
        "a system package that is not a Debian/Ubuntu apt package name is not carried over", _PEERS,
    ),
    Code(
        "SPC737", "secret-value-dropped", W,
        "a credential value in the file became a declared secret; the value is not written", _PEERS,
    ),
    Code(
        "SPC738", "dependency-source-not-carried", W,
        "a git, local-path, editable or directory dependency is not carried over", _PEERS,
    ),
    Code(
        "SPC739", "variant-not-carried", W,
        "a pixi feature, environment or per-platform table, or a pylock environment or group, is not "
        "carried over", _PEERS,
    ),
    Code(
        "SPC740", "lock-detail-not-carried", W,
        "a lock's file hashes and URLs are not carried over (the versions are; `specc lock` records hashes)",
        _PEERS,
    ),
    Code(
        "SPC741", "cuda-version-unknown", W,
        "a GPU is asked for but no CUDA version is given, or the one given is not a version", _PEERS,
    ),
    Code(
        "SPC742", "code-selection-not-carried", W,
        "an entry point, file selection or package folder (include/exclude, `external_package_dirs`, "
        "weights) is not carried over", _PEERS,
    ),
    Code(
        "SPC743", "env-var-not-carried", W,
        "an environment variable with an invalid name or a build-only stage is not carried over, or "
        "is renamed", _PEERS,
    ),
    Code(
        "SPC764", "output-not-writable", E,
        "`specc sbom --out`, `--pylock-file`: the output cannot be written there (a folder where the file "
        "goes, a file where a folder must be, a folder specc did not write, a file inside a code or "
        "artifact folder of the spec, no permission); nothing is written", _SBOM,
    ),
    Code(
        "SPC744", "peer-conda-not-carried", W,
        "a conda package with no PyPI equivalent, a conda channel, build string or constraint is not carried "
        "over", _PEERS,
    ),
    # --- SPC79x found by using the commands together (wave 3 e2e)
    Code(
        "SPC790", "import-name-assumed", W,
        "`specc import`: a `runs:/` URI names no model, so model.name is a placeholder to change", _IMPORT,
    ),
    Code(
        "SPC791", "import-carried-with-a-change", W,
        "`specc import`: an item is carried over, but in another form or with a caveat to check (a deprecated "
        "key, a base image, a per-package index, a lock made for other platforms); not counted as left out",
        _IMPORT,
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
