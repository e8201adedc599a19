"""The one Jinja2 environment every target renders its text files with.

House style ("Python decides, templates lay out"): a backend builds a frozen view
with every decision made (order, filtering, quoting) and a template only lays it
out.  The environment is strict (an undefined name is an error, not an empty
string), never HTML-escapes (nothing here is HTML) and keeps the final newline.
The ``shquote`` filter is :func:`specc.quoting.shquote`, so a template that must
put a value on a shell line has exactly one way to do it.
"""

from __future__ import annotations

from functools import cache

import jinja2

from specc.quoting import dockerfile_env_value, dockerfile_json, shquote
from specc.resources import targets_dir


@cache
def environment() -> jinja2.Environment:
    """The shared environment; templates are addressed as ``<target>/<file>``."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(targets_dir())),
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


def render_template(name: str, /, **view: object) -> str:
    """Render ``targets/<name>`` (e.g. ``docker/Dockerfile.j2``) with ``view`` as its variables."""
    return environment().get_template(name).render(**view)
