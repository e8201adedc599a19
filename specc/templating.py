"""The one Jinja2 environment every target renders its text files with.

House style ("Python decides, templates lay out"): a backend builds a frozen view
with every decision made (order, filtering, quoting) and a template only lays it
out.  The environment is strict (an undefined name is an error, not an empty
string), never HTML-escapes (nothing here is HTML) and keeps the final newline.
The ``shquote`` filter is :func:`specc.quoting.shquote`, so a template that must
put a value on a shell line has exactly one way to do it.

Templates ship precompiled: ``scripts/compile_templates.py`` runs Jinja2's own
``Environment.compile_templates`` over ``targets/**/*.j2`` with :func:`source_environment`
(the options below) and writes one Python module per template into ``specc/_templates/``;
:func:`environment` loads those with ``jinja2.ModuleLoader``, so a process parses and
compiles no template source (issue 10: ``get_template("docker/Dockerfile.j2")`` cost about
10 ms per process).  The output is the same bytes either way (tests/test_templating.py
renders every template both ways).  The sources are used instead when the precompiled
modules cannot be trusted: a Jinja2 of another minor version than the one that compiled them,
or, in a source checkout, a template whose bytes differ from the ones it was compiled from
(so an edited template renders as written before it is recompiled).
"""

from __future__ import annotations

import hashlib
from functools import cache

import jinja2

from specc.quoting import dockerfile_env_value, dockerfile_json, shquote
from specc.resources import compiled_templates_dir, source_checkout_root, targets_dir

TEMPLATE_SUFFIX = "j2"  # what compile_templates compiles: targets/<target>/<name>.j2


def configure(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """An environment with specc's options and filters over ``loader``.

    The precompiled modules are only valid for these options (the lexer's whitespace rules
    and constant-folded filters are baked into them): change them here and regenerate.
    """
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shquote"] = shquote
    env.filters["dockerfile_json"] = dockerfile_json
    env.filters["dockerfile_env_value"] = dockerfile_env_value
    return env


def source_environment() -> jinja2.Environment:
    """The environment over the template sources in ``targets/`` (what the compiler reads)."""
    return configure(jinja2.FileSystemLoader(str(targets_dir())))


def precompiled_usable() -> bool:
    """Whether ``specc/_templates/`` may stand in for the sources (see the module docstring)."""
    from specc import _templates

    if _minor(jinja2.__version__) != _minor(_templates.JINJA2_VERSION):
        return False
    if source_checkout_root() is None:
        return True
    for name, digest in _templates.SOURCES.items():
        path = targets_dir(*name.split("/"))
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])


@cache
def environment() -> jinja2.Environment:
    """The shared environment; templates are addressed as ``<target>/<file>``."""
    if precompiled_usable():
        return configure(jinja2.ModuleLoader(str(compiled_templates_dir())))
    return source_environment()


def render_template(name: str, /, **view: object) -> str:
    """Render ``targets/<name>`` (e.g. ``docker/Dockerfile.j2``) with ``view`` as its variables."""
    return environment().get_template(name).render(**view)
