"""Environment variable names that installers and tools read as their own options.

A secret or ``[env]`` entry is exported under its name.  When that name is one an installer
reads as an option (``PIP_USER`` is pip's ``--user``), the value silently reconfigures the
install, and a bad value makes the tool fail *and print the value* in its error.  Which tools
see which names differs per target, so the targets' capability tables decide the severity
(``"env:installer-option"`` and ``"secrets:installer-option"`` in
:mod:`specc.backends.features`); this module only knows the names, from each tool's documented
list:

* pip: every ``PIP_<OPTION>`` (https://pip.pypa.io/en/stable/topics/configuration/#environment-variables)
* uv: ``UV_*`` (https://docs.astral.sh/uv/reference/environment/), except its documented
  credential route ``UV_INDEX_<NAME>_USERNAME`` / ``UV_INDEX_<NAME>_PASSWORD``
* virtualenv (MLflow's virtualenv environment manager): ``VIRTUALENV_*``
  (https://virtualenv.pypa.io/en/latest/cli_interface.html#environment-variables)
* the JVM: ``JAVA_TOOL_OPTIONS``, ``_JAVA_OPTIONS``, ``JDK_JAVA_OPTIONS`` (read at every start and
  echoed to stderr: "Picked up JAVA_TOOL_OPTIONS: ..."; https://docs.oracle.com/en/java/javase/21/
  troubleshoot/environment-variables-and-system-properties.html)
* R: ``R_LIBS``, ``R_LIBS_USER``, ``R_LIBS_SITE`` (where packages install and load from),
  ``R_PROFILE``, ``R_PROFILE_USER``, ``R_ENVIRON``, ``R_ENVIRON_USER`` (files R runs or reads
  at start; https://stat.ethz.ch/R-manual/R-devel/library/base/html/Startup.html)
* apt: ``APT_CONFIG`` (a configuration file apt reads; apt.conf(5))

Maven's ``MAVEN_OPTS``/``MAVEN_ARGS`` are not listed: no target runs Maven (Databricks resolves
coordinates in its control plane, the Docker image resolves them with Ivy under the JVM, whose
own names are listed).
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Owner(NamedTuple):
    group: str  # "pip" | "uv" | "virtualenv" | "jvm" | "r" | "apt"
    tool: str  # how messages name it


_UV_CREDENTIAL = re.compile(r"^UV_INDEX_[A-Z0-9_]+_(USERNAME|PASSWORD)$")
_JVM = frozenset({"JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"})
_R = frozenset({"R_LIBS", "R_LIBS_USER", "R_LIBS_SITE", "R_PROFILE", "R_PROFILE_USER", "R_ENVIRON", "R_ENVIRON_USER"})


def owner(name: str) -> Owner | None:
    """The tool that reads ``name`` as one of its options, or None.

    >>> owner("PIP_USER").tool
    'pip (PIP_<OPTION> sets --<option>)'
    >>> owner("UV_INDEX_ACME_PASSWORD") is None  # uv's documented credential route
    True
    """
    if name.startswith("PIP_") and len(name) > 4:
        return Owner("pip", "pip (PIP_<OPTION> sets --<option>)")
    if name.startswith("UV_") and len(name) > 3:
        if _UV_CREDENTIAL.match(name):
            return None
        return Owner("uv", "uv (UV_* are its settings)")
    if name.startswith("VIRTUALENV_") and len(name) > 11:
        return Owner("virtualenv", "virtualenv (VIRTUALENV_* are its options)")
    if name in _JVM:
        return Owner("jvm", "every JVM start (it reads the value as options and prints it)")
    if name in _R:
        return Owner("r", "R (it reads the variable at start and when installing packages)")
    if name == "APT_CONFIG":
        return Owner("apt", "apt (a configuration file it reads)")
    return None
