"""Runs Databricks notebook source the way a job's notebook task does, in a runtime's Python.

Executed by the notebook environment's interpreter (never imported by the tests)::

    python notebook_runner.py notebook <score.py> <state.json>   # cells from state["next"]
    python notebook_runner.py script <file.py> [args...]          # a spark_python_task
    python notebook_runner.py code <python source>                # helper code with `spark`

Stand-ins, kept small and strict:

* ``dbutils.widgets.text/get``: job parameters (state["params"]) override a widget's default;
  getting an undefined widget raises, as dbutils does. Widgets survive a restart.
* ``%pip ...`` (a ``# MAGIC %pip`` cell): ``$name``/``${name}`` expanded from the notebook's
  variables, then real pip (``sys.executable -m pip``) in the current folder.
* ``dbutils.library.restartPython()``: ends this interpreter; the runner's caller starts a fresh
  one for the cells after it (state["next"]).
* ``spark``: attached to the test session's JVM through its py4j gateway
  (``PYSPARK_GATEWAY_PORT``/``PYSPARK_GATEWAY_SECRET``), when a cell mentions it.
"""

import json
import os
import re
import runpy
import shlex
import subprocess
import sys

SEPARATOR = "# COMMAND ----------"
HEADER = "# Databricks notebook source"


class Restart(BaseException):
    """dbutils.library.restartPython() was called."""


def attach_spark():
    """A SparkSession over the already running JVM (its SparkContext and session), as a
    Databricks notebook's REPL gets one; SparkSession.builder.getOrCreate() then returns it."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    gateway = launch_gateway()  # connects to PYSPARK_GATEWAY_PORT with its secret
    jvm = gateway.jvm
    jsc = jvm.org.apache.spark.api.java.JavaSparkContext(jvm.org.apache.spark.SparkContext.getOrCreate())
    sc = SparkContext(gateway=gateway, jsc=jsc, conf=SparkConf(_jvm=jvm, _jconf=jsc.getConf()))
    return SparkSession(sc, jsparkSession=jvm.org.apache.spark.sql.SparkSession.builder().getOrCreate())


class Widgets:
    def __init__(self, state):
        self._state = state

    def text(self, name, defaultValue, label=None):
        self._state["widgets"][name] = defaultValue

    def get(self, name):
        if name not in self._state["widgets"]:
            raise ValueError(f"InputWidgetNotDefined: no input widget named {name} is defined")
        return self._state["params"].get(name, self._state["widgets"][name])


class Library:
    def restartPython(self):
        raise Restart()


class DBUtils:
    def __init__(self, state):
        self.widgets = Widgets(state)
        self.library = Library()


def cells(source):
    if source.startswith(HEADER):
        source = source[len(HEADER) :]
    return [c.strip("\n") for c in source.split(SEPARATOR)]


def magic(cell):
    """The magic command of a cell made only of `# MAGIC` lines, else None."""
    lines = [line for line in cell.splitlines() if line.strip()]
    if lines and all(line.startswith("# MAGIC") for line in lines):
        return "\n".join(line[len("# MAGIC") :].strip() for line in lines)
    return None


def expand(text, namespace):
    """IPython's $name / ${name} expansion of Python variables in a magic line."""

    def value(m):
        name = m.group(1) or m.group(2)
        if name not in namespace:
            raise NameError(f"{name} is not defined (in %pip line {text!r})")
        return str(namespace[name])

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def run_pip(line, namespace):
    words = shlex.split(expand(line, namespace))
    assert words[0] == "%pip", f"unsupported magic: {line!r}"
    print(f"[runner] %pip {' '.join(words[1:])}  (cwd {os.getcwd()})", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *words[1:]], check=True)


def run_notebook(path, state_path):
    with open(state_path, encoding="utf-8") as fh:
        state = json.load(fh)
    with open(path, encoding="utf-8") as fh:
        all_cells = cells(fh.read())
    start = state["next"]
    namespace = {"__name__": "__main__", "dbutils": DBUtils(state)}
    attached = False
    state["next"] = None
    try:
        for index in range(start, len(all_cells)):
            cell = all_cells[index]
            command = magic(cell)
            if command is not None:
                run_pip(command, namespace)
                continue
            if not attached and re.search(r"\bspark\b", cell):
                namespace["spark"] = attach_spark()
                attached = True
            try:
                exec(compile(cell, f"<cell {index}>", "exec"), namespace)
            except Restart:
                state["next"] = index + 1
                print(f"[runner] restartPython after cell {index}", flush=True)
                break
    finally:
        with open(state_path, "w", encoding="utf-8") as fh:
            json.dump(state, fh)


def main(argv):
    mode = argv[1]
    if mode == "notebook":
        run_notebook(argv[2], argv[3])
    elif mode == "script":
        attach_spark()
        sys.argv = argv[2:]
        runpy.run_path(argv[2], run_name="__main__")
    elif mode == "code":
        exec(compile(argv[2], "<code>", "exec"), {"__name__": "__main__", "spark": attach_spark()})
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv)
