"""The contract's dependency hashes ("Hashes and provenance").

One hash per ecosystem (runtime, python, apt, maven, r) plus one over all of
them, and separate hashes of code and artifact contents.  Every hash is
``sha256:<hex>`` over a canonical JSON encoding, so it does not depend on where
the repository is checked out, nor on the order of set-like entries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from specc.spec import Apt, Hashes, Maven, Python, R, Runtime


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _h(obj: Any) -> str:
    return "sha256:" + hashlib.sha256(_canonical(obj)).hexdigest()


def compute_hashes(
    runtime: Runtime,
    python: Python,
    apt: Apt,
    maven: Maven,
    r: R,
    code: dict[str, str],
    artifacts: dict[str, str],
) -> Hashes:
    """The contract's dependency hashes: one per ecosystem, one over all.

    Only what changes an installed environment goes in: the runtime,
    requirements, constraints, indexes, file contents of wheels/debs/jars/R
    sources (by sha256, not by path) and the apt/Maven/R declarations.  Code and
    artifacts are hashed on their own, so editing model code never makes a
    lock stale nor rebuilds a dependency layer.
    """
    h_runtime = _h(runtime.model_dump(mode="json"))
    h_python = _h(
        {
            "python": runtime.python,
            "requirements": [q.line for q in python.requirements],
            "constraints": [q.line for q in python.constraints],
            "wheels": sorted(w.sha256 for w in python.wheels),
            "index-url": python.index_url,
            "extra-index-urls": list(python.extra_index_urls),
        }
    )
    h_apt = _h({"packages": [p.line for p in apt.packages], "debs": sorted(d.sha256 for d in apt.debs)})
    h_maven = _h(
        {
            "repository": maven.repository,
            "packages": [p.model_dump(mode="json") for p in maven.packages],
            "jars": sorted(j.sha256 for j in maven.jars),
        }
    )
    h_r = _h(
        {
            "repository": r.repository,
            "packages": [p.model_dump(mode="json") for p in r.packages],
            "sources": sorted(s.sha256 for s in r.sources),
        }
    )
    return Hashes(
        dependencies=_h({"runtime": h_runtime, "python": h_python, "apt": h_apt, "maven": h_maven, "r": h_r}),
        runtime=h_runtime,
        python=h_python,
        apt=h_apt,
        maven=h_maven,
        r=h_r,
        code=_h(code),
        artifacts=_h(artifacts),
    )
