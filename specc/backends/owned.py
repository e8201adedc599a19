"""Environment variable names a target sets itself or its platform owns.

The sibling of :mod:`specc.backends.installers` (names a tool reads as its *options*): these
are names the *target* writes for the model's process to work, so a secret or ``[env]`` entry
under one of them replaces what the target set (``[env] PATH = "/usr/bin"`` drops the image's
``/opt/venv/bin`` and with it the ``mlflow`` the container starts).  Which target sets which
name differs, so the capability tables decide the severity (``"env:target-owned"`` and
``"secrets:target-owned"`` in :mod:`specc.backends.features`); this module only knows the names:

* ``python``: ``PATH``, ``VIRTUAL_ENV``, ``PYTHONPATH``, ``PYTHONHOME``.  The Docker image sets
  the first three (its venv, and ``/opt/specc/code`` for ``[code]``); a Databricks cluster runs
  Python from its own virtualenv with PySpark on ``PYTHONPATH``.  ``PYTHONHOME`` moves the
  standard library away from every interpreter.  Never legitimate in a spec: ``[code] paths``
  is how a folder reaches ``sys.path``.
* ``loader``: ``LD_PRELOAD``, ``LD_LIBRARY_PATH`` (ld.so(8)).  Legitimate uses exist
  (preloading jemalloc/tcmalloc, a vendor library folder), but the value replaces what a base
  image sets (the CUDA images set ``LD_LIBRARY_PATH`` to find the driver) and reaches every
  process, installers included: a warning, never silent.
* ``specc``: ``SPECC_*``, specc's own switches (``SPECC_PYTHON_BY_NOTEBOOK``, which the job
  cluster sets): reserved on every target, except the switches documented for users to set in
  ``[env]`` (:data:`USER_SWITCHES`: ``SPECC_JARS_TO_CLASSPATH``, docs/databricks.md).
* ``db``: ``DB_*`` (what a cluster exports to its init scripts: ``DB_CLUSTER_ID``,
  ``DB_IS_DRIVER``, ``DB_DRIVER_IP``...; https://docs.databricks.com/aws/en/init-scripts/environment-variables;
  specc's init script reads ``DB_IS_DRIVER``) and ``DATABRICKS_RUNTIME_VERSION``: set by every cluster.
* ``databricks``: every other ``DATABRICKS_*`` (the platform's and its clients' settings, e.g.
  ``DATABRICKS_CONFIG_PROFILE``): a value may be meant, so a warning; except
  the Databricks SDK's documented credential route ``DATABRICKS_HOST``, ``DATABRICKS_TOKEN``,
  ``DATABRICKS_CLIENT_ID``, ``DATABRICKS_CLIENT_SECRET`` (how a model reaches a workspace:
  https://docs.databricks.com/aws/en/dev-tools/auth/), which stay allowed.
"""

from __future__ import annotations

from typing import NamedTuple


class Owned(NamedTuple):
    group: str  # "python" | "loader" | "specc" | "db" | "databricks"
    owner: str  # how messages name who sets it


_PYTHON = frozenset({"PATH", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"})
_LOADER = frozenset({"LD_PRELOAD", "LD_LIBRARY_PATH"})
#: specc's switches a user sets in ``[env]`` on purpose (the Databricks init script reads them)
USER_SWITCHES = frozenset({"SPECC_JARS_TO_CLASSPATH"})
_SDK_CREDENTIALS = frozenset(
    {"DATABRICKS_HOST", "DATABRICKS_TOKEN", "DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET"}
)


def owned(name: str) -> Owned | None:
    """Who sets ``name`` for the model's process (group and a phrase for messages), or None.

    >>> owned("PATH").group
    'python'
    >>> owned("DATABRICKS_TOKEN") is None  # the SDK's credential route
    True
    >>> owned("DBT_PROFILE") is None  # DB_ is a prefix, not DB
    True
    """
    if name in _PYTHON:
        return Owned("python", "the target (it runs the model's Python from its own environment)")
    if name in _LOADER:
        return Owned("loader", "the dynamic loader, for every process")
    if name.startswith("SPECC_") and name not in USER_SWITCHES:
        return Owned("specc", "specc (its own switches)")
    if (name.startswith("DB_") and len(name) > 3) or name == "DATABRICKS_RUNTIME_VERSION":
        return Owned("db", "Databricks (every cluster sets it)")
    if name.startswith("DATABRICKS_") and len(name) > 11 and name not in _SDK_CREDENTIALS:
        return Owned("databricks", "Databricks (its platform and clients read DATABRICKS_* as their settings)")
    return None
