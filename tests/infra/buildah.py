"""Real image builds with buildah on private storage, for the Docker target's tests.

Why buildah: the test machines have no Docker engine and reach no image registry, so images
are built from a local debootstrap base with ``--pull=never``. buildah 1.28 with chroot isolation and overlay
storage builds for real, supports ``RUN --mount=type=secret|cache`` and uses the host network, so
a rendered Dockerfile can be built exactly as a user would build it.

Isolation: each :class:`Buildah` owns a storage directory (``storage.conf`` +
``containers.conf`` via ``CONTAINERS_STORAGE_CONF``/``CONTAINERS_CONF``), so tests never touch
or depend on the machine's images, and the layer cache they assert on ("Using cache") is theirs.
The base image (``localhost/specc-test-base:bookworm``) is built from the cached debootstrap
rootfs (:func:`tests.infra.rootfs.base_rootfs`), because ``python:3.11-slim`` cannot be pulled.

Caveat from the recipe: ``--from`` replaces only the *first* ``FROM``; multi-stage Dockerfiles
must use the same base for every stage, or call :meth:`Buildah.tag` to alias the base under the
names the Dockerfile uses.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.infra.rootfs import CHROOT_PATH, base_rootfs

__all__ = [
    "BASE_TAG",
    "BUILDAH_CACHE_DIR",
    "BuildResult",
    "Buildah",
    "ServerHandle",
    "blob_contains",
    "free_port",
    "sweep_stale_workdirs",
]

BASE_TAG = "localhost/specc-test-base:bookworm"
#: Where ``RUN --mount=type=cache`` directories live in buildah 1.28, whatever TMPDIR says.
BUILDAH_CACHE_DIR = Path("/var/tmp/buildah-cache")
_USING_CACHE = re.compile(r"^--> Using cache ([0-9a-f]+)", re.MULTILINE)
_STEP = re.compile(r"^STEP (\d+)/(\d+): (.*)$", re.MULTILINE)


@dataclass
class BuildResult:
    """Outcome of :meth:`Buildah.bud`. ``log`` is stdout+stderr interleaved as buildah wrote
    them (stderr is merged into stdout), which is what a user sees."""

    returncode: int
    log: str
    tag: str
    duration: float
    argv: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def stdout(self) -> str:
        return self.log

    @property
    def stderr(self) -> str:
        return self.log

    @property
    def steps(self) -> list[str]:
        """The instructions as buildah echoed them (``STEP n/m: <instruction>``)."""
        return [m.group(3) for m in _STEP.finditer(self.log)]

    @property
    def cache_hits(self) -> int:
        """How many steps were taken from the layer cache."""
        return len(_USING_CACHE.findall(self.log))

    def cached_steps(self) -> list[str]:
        """Instructions whose layer came from the cache (a step is cached when a
        ``--> Using cache`` line follows its ``STEP`` line before the next step)."""
        out = []
        matches = list(_STEP.finditer(self.log))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(self.log)
            if _USING_CACHE.search(self.log, m.end(), end):
                out.append(m.group(3))
        return out

    def step_cached(self, needle: str) -> bool:
        """True if the (first) step whose instruction contains ``needle`` was cached."""
        for m in self.steps:
            if needle in m:
                return m in self.cached_steps()
        raise KeyError(f"no step contains {needle!r}; steps: {self.steps}")

    def check(self) -> BuildResult:
        if self.returncode != 0:
            raise AssertionError(f"buildah bud failed ({self.returncode}):\n{self.log[-6000:]}")
        return self


class ServerHandle:
    """A long-running process inside a working container, listening on 127.0.0.1:``port`` of
    the host network. ``stop()`` kills it and removes the container."""

    def __init__(
        self,
        owner: Buildah,
        container: str,
        proc: subprocess.Popen[bytes],
        port: int,
        log_path: Path,
    ) -> None:
        self.owner, self.container, self.proc, self.port = owner, container, proc, port
        self.log_path = log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.owner._buildah(["rm", self.container], check=False)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Buildah:
    """buildah with private storage under ``workdir`` (a new temp dir by default).

    Call :meth:`cleanup` when done (the session fixture does): it removes containers, images,
    the storage and any overlay mount left under it.
    """

    def __init__(self, workdir: Path | str | None = None) -> None:
        self._own_workdir = workdir is None
        if workdir is None:
            sweep_stale_workdirs()
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="specc-buildah-", dir="/var/tmp"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        if self._own_workdir:
            (self.workdir / "owner.pid").write_text(f"{os.getpid()}\n")
        self.graphroot = self.workdir / "storage"
        self.runroot = self.workdir / "run"
        self.storage_conf = self.workdir / "storage.conf"
        self.containers_conf = self.workdir / "containers.conf"
        self.storage_conf.write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{self.graphroot}"\nrunroot = "{self.runroot}"\n'
        )
        self.containers_conf.write_text(
            '[containers]\nnetns = "host"\n'
            'default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n'
            '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
            'events_logger = "file"\n'
        )
        self.base_tag: str | None = None

    # -- plumbing -----------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        """Environment for buildah/podman subprocesses (also usable by tests that call the CLI
        themselves)."""
        env = dict(os.environ)
        env.update(
            CONTAINERS_STORAGE_CONF=str(self.storage_conf),
            CONTAINERS_CONF=str(self.containers_conf),
            BUILDAH_ISOLATION="chroot",
        )
        env.pop("CONTAINERS_REGISTRIES_CONF", None)
        return env

    def _buildah(
        self,
        args: Sequence[str],
        *,
        check: bool = True,
        timeout: float = 900,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["buildah", *args],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=timeout,
            input=input,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"buildah {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    def image_exists(self, image: str) -> bool:
        return self._buildah(["inspect", "--type", "image", image], check=False).returncode == 0

    def image_id(self, image: str) -> str:
        return self._buildah(["inspect", "--type", "image", "--format", "{{.FromImageID}}", image]).stdout.strip()

    def tag(self, image: str, *names: str) -> None:
        """Alias ``image`` under ``names`` (e.g. ``python:3.11-slim`` for multi-stage files)."""
        self._buildah(["tag", image, *names])

    # -- images -------------------------------------------------------------------------------
    def build_base_image(self, tag: str = BASE_TAG) -> str:
        """Import the cached debootstrap rootfs as ``tag`` (once per storage) and return the tag.

        Done with ``buildah from scratch`` + ``copy`` + ``commit`` rather than a tarball
        ``ADD``, which would first write a ~200 MB tar. The image has a Debian PATH and
        ``python3`` + ``python3-venv`` + ``pip`` + the host's CAs (so pip works behind the
        TLS-intercepting proxy - only the test base has them, never a rendered Dockerfile).
        """
        if self.image_exists(tag):
            self.base_tag = tag
            return tag
        rootfs = base_rootfs()
        ctr = self._buildah(["from", "--name", f"specc-base-{os.getpid()}", "scratch"]).stdout
        ctr = ctr.strip()
        try:
            mnt = Path(self._buildah(["mount", ctr]).stdout.strip())
            subprocess.run(["cp", "-a", "--reflink=auto", f"{rootfs}/.", f"{mnt}/"], check=True)
            (mnt / ".specc-rootfs-version").unlink(missing_ok=True)
            self._buildah(["umount", ctr])
            self._buildah(
                [
                    "config",
                    "--env",
                    f"PATH={CHROOT_PATH}",
                    "--env",
                    "LANG=C.UTF-8",
                    "--cmd",
                    "/bin/bash",
                    "--workingdir",
                    "/",
                    ctr,
                ]
            )
            self._buildah(["commit", "--format", "docker", "--rm", ctr, tag])
        except BaseException:
            self._buildah(["rm", ctr], check=False)
            raise
        self.base_tag = tag
        return tag

    def bud(
        self,
        context_dir: Path | str,
        tag: str,
        *,
        secrets: Mapping[str, Path | str] | None = None,
        from_image: str | None = None,
        dockerfile: Path | str | None = None,
        build_args: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 900,
    ) -> BuildResult:
        """``buildah bud --format docker --layers --force-rm --pull=never`` and capture the log.

        ``from_image`` defaults to the base image if :meth:`build_base_image` was called (it
        replaces the first ``FROM`` only). ``secrets`` maps secret ids to files
        (``--secret id=<id>,src=<path>``). Never raises on a failed build: inspect
        ``returncode``/``log`` or call ``.check()``.
        """
        argv = [
            "buildah",
            "bud",
            "--format",
            "docker",
            "--layers",
            "--force-rm",
            "--pull=never",
            "-t",
            tag,
        ]
        base = from_image or self.base_tag
        if base:
            argv += ["--from", base]
        for sid, path in (secrets or {}).items():
            argv += ["--secret", f"id={sid},src={path}"]
        for k, v in (build_args or {}).items():
            argv += ["--build-arg", f"{k}={v}"]
        if dockerfile is not None:
            argv += ["-f", str(dockerfile)]
        argv += [*extra_args, str(context_dir)]
        t0 = time.monotonic()
        proc = subprocess.run(
            argv,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        return BuildResult(proc.returncode, proc.stdout, tag, time.monotonic() - t0, argv)

    # -- containers ---------------------------------------------------------------------------
    def _from(self, image: str) -> str:
        return self._buildah(["from", "--pull=never", image]).stdout.strip().splitlines()[-1]

    def run(
        self,
        image: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` in a throwaway working container of ``image`` (host network) and return
        the completed process; the container is removed afterwards."""
        ctr = self._from(image)
        try:
            args = ["run"]
            for k, v in (env or {}).items():
                args += ["--env", f"{k}={v}"]
            proc = self._buildah([*args, "--", ctr, *argv], check=False, timeout=timeout)
        finally:
            self._buildah(["rm", ctr], check=False)
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, argv, proc.stdout, proc.stderr)
        return proc

    def start_server(
        self,
        image: str,
        argv: Sequence[str],
        port: int,
        *,
        env: Mapping[str, str] | None = None,
        ready_path: str | None = "/",
        timeout: float = 60,
    ) -> ServerHandle:
        """Start ``argv`` in a container of ``image`` in the background and wait until
        ``127.0.0.1:port`` answers (an HTTP GET of ``ready_path`` returning any status, or a
        TCP connect if ``ready_path`` is None).

        ``buildah run`` with chroot isolation shares the host network, so the server listens
        on the host's 127.0.0.1 directly; no port mapping is involved. Use :func:`free_port`
        to pick a port.
        """
        ctr = self._from(image)
        log_path = self.workdir / f"server-{ctr}.log"
        args = ["buildah", "run"]
        for k, v in (env or {}).items():
            args += ["--env", f"{k}={v}"]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [*args, "--", ctr, *argv],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        handle = ServerHandle(self, ctr, proc, port, log_path)
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                handle.stop()
                raise RuntimeError(f"server exited ({proc.returncode}):\n{handle.log()[-3000:]}")
            if _answers(port, ready_path):
                return handle
            if time.monotonic() > deadline:
                handle.stop()
                raise TimeoutError(f"nothing answered on 127.0.0.1:{port}:\n{handle.log()}")
            time.sleep(0.2)

    # -- layer inspection ---------------------------------------------------------------------
    def export_blobs(self, image: str, dest: Path | str) -> list[Path]:
        """``buildah push image dir:<dest>`` and return every file written: the manifest, the
        config (env, labels, history - where build args leak) and each layer blob."""
        dest = Path(dest)
        # Uncompressed: pushing is faster (no gzip) and the scan needs no decompression.
        self._buildah(["push", "--quiet", "--disable-compression", image, f"dir:{dest}"])
        return sorted(p for p in dest.iterdir() if p.is_file())

    def image_contains_bytes(self, image: str, needle: bytes | str) -> bool:
        """True if ``needle`` occurs in any layer (decompressed), the config or the manifest.

        Why: proving that a secret (a PyPI token passed with ``--mount=type=secret``) never
        lands in an image needs a byte search of everything a ``docker push`` would upload, not
        just a look at the final filesystem (a later layer can hide an earlier file).
        """
        return self.find_in_image(image, [needle])[_as_bytes(needle)]

    def find_in_image(self, image: str, needles: Sequence[bytes | str]) -> dict[bytes, bool]:
        """Like :meth:`image_contains_bytes` for several needles with one export (a positive
        control - a byte string that *must* be found - makes a "secret absent" assertion
        trustworthy)."""
        wanted = [_as_bytes(n) for n in needles]
        found = dict.fromkeys(wanted, False)
        with tempfile.TemporaryDirectory(prefix="specc-blobs-", dir=self.workdir) as tmp:
            for blob in self.export_blobs(image, tmp):
                for n in wanted:
                    if not found[n] and blob_contains(blob, n):
                        found[n] = True
        return found

    # -- cleanup ------------------------------------------------------------------------------
    def clear_cache_mounts(self, *, only_if_idle: bool = True) -> bool:
        """Delete ``/var/tmp/buildah-cache*`` (``RUN --mount=type=cache`` content); return
        whether it did.

        The directory is shared by every buildah on the machine, so by default nothing is
        deleted while any ``buildah`` process runs (another test session may be mid-build).
        """
        if only_if_idle and _buildah_running():
            return False
        for p in BUILDAH_CACHE_DIR.parent.glob(BUILDAH_CACHE_DIR.name + "*"):
            shutil.rmtree(p, ignore_errors=True)
        return True

    def cleanup(self) -> None:
        """Remove every container and image of this storage, unmount leftovers, delete the
        storage directory (if this object created it)."""
        self._buildah(["rm", "--all"], check=False)
        self._buildah(["rmi", "--all", "--force"], check=False)
        for mnt in _mounts_under(self.workdir):
            subprocess.run(["umount", "-l", mnt], check=False, capture_output=True)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def sweep_stale_workdirs(parent: Path = Path("/var/tmp")) -> list[Path]:
    """Delete ``specc-buildah-*`` storages whose owning process is gone (a session killed with
    SIGKILL never runs :meth:`Buildah.cleanup`), unmounting their overlays first. Storages of
    live processes, and ones without an ``owner.pid`` yet, are left alone."""
    removed = []
    for d in parent.glob("specc-buildah-*"):
        try:
            pid = int((d / "owner.pid").read_text().strip())
        except (OSError, ValueError):
            continue
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        for mnt in _mounts_under(d):
            subprocess.run(["umount", "-l", mnt], check=False, capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _buildah_running() -> bool:
    """Whether any ``buildah`` process (from any session) is running right now."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv0 = cmdline.read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if os.path.basename(argv0) == b"buildah":
            return True
    return False


def _as_bytes(s: bytes | str) -> bytes:
    return s.encode() if isinstance(s, str) else s


def _mounts_under(path: Path) -> list[str]:
    prefix = str(path.resolve())
    found = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        parts = line.split()
        if len(parts) > 1 and (parts[1] == prefix or parts[1].startswith(prefix + "/")):
            found.append(parts[1])
    return sorted(found, key=len, reverse=True)  # deepest first


def _answers(port: int, path: str | None) -> bool:
    if path is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            return False
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False


def free_port() -> int:
    """An ephemeral TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head[:2] == b"\x1f\x8b":
        opener = gzip.open
    elif head == b"\x28\xb5\x2f\xfd":  # zstd: let the zstd CLI decompress
        proc = subprocess.Popen(["zstd", "-dc", str(path)], stdout=subprocess.PIPE)
        assert proc.stdout is not None
        while chunk := proc.stdout.read(1 << 20):
            yield chunk
        proc.wait()
        return
    else:
        opener = open  # type: ignore[assignment]
    with opener(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            yield chunk


def blob_contains(path: Path | str, needle: bytes) -> bool:
    """Stream ``path`` (gzip/zstd-decompressed if needed) and look for ``needle``, including
    across chunk boundaries."""
    tail = b""
    for chunk in _chunks(Path(path)):
        buf = tail + chunk
        if needle in buf:
            return True
        tail = buf[-(len(needle) - 1) :] if len(needle) > 1 else b""
    return False
