"""A cached Debian bookworm root filesystem, and a clean way to run commands chrooted into it.

Why: the Databricks target's init scripts must be *run*, not just linted, and the Docker target
needs a base image (no registry is reachable, so ``python:3.11-slim`` cannot be pulled). Both come
from one debootstrap'd bookworm rootfs. debootstrap takes tens of seconds, so the rootfs is built
once per machine, cached under ``$SPECC_TEST_CACHE`` (default ``/var/tmp/specc-test-cache``),
keyed by :data:`ROOTFS_VERSION`; bump that string whenever the recipe below changes.

Concurrency: pytest-xdist workers (and parallel CI jobs) may all ask for the rootfs at once, so the
build holds an ``fcntl`` lock and builds into a temporary sibling directory that is renamed into
place only when complete; a half-built rootfs is never visible.

The master rootfs is read-only by convention: use :func:`copy_rootfs` to get a private copy before
running anything that writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

__all__ = [
    "ROOTFS_VERSION",
    "base_rootfs",
    "cache_dir",
    "copy_rootfs",
    "databricks_base_rootfs",
    "debian_mirror",
    "install_r_in_rootfs",
    "overlay_rootfs",
    "overlay_supported",
    "prepare_databricks_layout",
    "proxy_env",
    "remove_rootfs",
    "run_in_chroot",
]

#: Bump when the package list or the post-processing changes: the cache key includes it.
ROOTFS_VERSION = "bookworm-minbase-py-v1"
SUITE = "bookworm"
INCLUDE = ("ca-certificates", "python3", "python3-venv", "python3-pip")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
HOST_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
HOST_EXTRA_CAS = Path("/usr/local/share/ca-certificates")
#: The PATH a Debian root shell would have; the host's PATH must never leak into the chroot.
CHROOT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
_PROXY_VARS = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")


def cache_dir() -> Path:
    """Where cached test artefacts live (``$SPECC_TEST_CACHE`` or ``/var/tmp/specc-test-cache``).

    /var/tmp rather than /tmp: it survives reboots and is on the same filesystem as buildah's
    storage on typical machines, and TMPDIR-cleaners leave it alone.
    """
    path = Path(os.environ.get("SPECC_TEST_CACHE") or "/var/tmp/specc-test-cache")
    path.mkdir(parents=True, exist_ok=True)
    return path


def debian_mirror() -> str:
    """The Debian mirror the host uses (first ``URIs:`` of its deb822 sources), so the chroot
    reaches the same, known-reachable mirror."""
    try:
        for line in HOST_SOURCES.read_text().splitlines():
            if line.startswith("URIs:"):
                return line.split()[1]
    except OSError:
        pass
    return DEFAULT_MIRROR


def proxy_env() -> dict[str, str]:
    """Proxy variables of the host, passed into chroots so apt/pip work behind a proxy."""
    return {k: v for k, v in os.environ.items() if k in _PROXY_VARS}


def _run(argv: Sequence[str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), check=True, text=True, capture_output=True, **kw)  # type: ignore[call-overload]


def _build(dest: Path) -> None:
    """debootstrap into ``dest`` and make it usable offline-of-the-host: trust the host's extra
    CAs (the sandbox's TLS-intercepting proxy), copy the host's apt sources so ``apt-get`` in the
    chroot hits the same mirror, and clean apt caches to keep copies small."""
    mirror = debian_mirror()
    env = {"PATH": CHROOT_PATH, "LC_ALL": "C", "DEBIAN_FRONTEND": "noninteractive", **proxy_env()}
    proc = subprocess.run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={','.join(INCLUDE)}",
            SUITE,
            str(dest),
            mirror,
        ],
        env=env,
        text=True,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"debootstrap failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    cas = dest / "usr/local/share/ca-certificates"
    cas.mkdir(parents=True, exist_ok=True)
    if HOST_EXTRA_CAS.is_dir():
        for crt in HOST_EXTRA_CAS.glob("*.crt"):
            shutil.copy2(crt, cas / crt.name)
    _run(["chroot", str(dest), "update-ca-certificates"], env=env)
    # Same sources as the host (deb822 format), replacing debootstrap's one-line sources.list.
    if HOST_SOURCES.is_file():
        (dest / "etc/apt/sources.list.d").mkdir(parents=True, exist_ok=True)
        shutil.copy2(HOST_SOURCES, dest / "etc/apt/sources.list.d/debian.sources")
        (dest / "etc/apt/sources.list").unlink(missing_ok=True)
    # A policy-rc.d that forbids starting services: postinst scripts in a chroot must not try.
    policy = dest / "usr/sbin/policy-rc.d"
    policy.write_text("#!/bin/sh\nexit 101\n")
    policy.chmod(0o755)
    _run(["chroot", str(dest), "apt-get", "clean"], env=env)
    shutil.rmtree(dest / "var/lib/apt/lists", ignore_errors=True)
    (dest / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    """Return ``cache_dir()/name``, building it with ``build(tmpdir)`` under an fcntl lock and
    renaming it into place (atomic: a half-built tree is never visible under ``name``)."""
    root = cache_dir()
    final = root / name
    if (final / ".specc-rootfs-version").is_file():
        return final
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / ".specc-rootfs-version").is_file():  # someone else built it meanwhile
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
        try:
            build(tmp)
            os.chmod(tmp, 0o755)
            (tmp / ".specc-rootfs-version").write_text(ROOTFS_VERSION + "\n")
            if final.exists():  # an incomplete leftover without the marker file
                shutil.rmtree(final)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final


def base_rootfs() -> Path:
    """Return the cached master rootfs, building it (once, under a lock) if needed.

    Read-only by convention: callers that run anything must use :func:`overlay_rootfs` or
    :func:`copy_rootfs` first.
    """
    return _cached(f"rootfs-{ROOTFS_VERSION}", _build)


def databricks_base_rootfs() -> Path:
    """The master rootfs plus :func:`prepare_databricks_layout`, cached the same way.

    Why a second cached tree: creating the ``/databricks/python`` venv costs ~5 s (ensurepip),
    which every init-script test would otherwise pay; overlaying this tree costs ~0.05 s.
    """

    def build(tmp: Path) -> None:
        tmp.rmdir()
        copy_rootfs(tmp, base_rootfs())
        prepare_databricks_layout(tmp)
        (tmp / "etc/resolv.conf").unlink(missing_ok=True)

    return _cached(f"rootfs-databricks-{ROOTFS_VERSION}", build)


def copy_rootfs(dest: Path | str, source: Path | None = None) -> Path:
    """Copy the master rootfs (or ``source``) to ``dest`` and return it.

    ``cp -a --reflink=auto`` keeps ownership, hard links, xattrs, device nodes; on
    reflink-capable filesystems it is nearly free, elsewhere it costs seconds (0.7-7 s measured
    here, see README). :func:`overlay_rootfs` is much faster but is a mount that must be
    released; use this when the copy must outlive a ``with`` block.
    """
    src = source or base_rootfs()
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.rmdir()
    _run(["cp", "-a", "--reflink=auto", str(src), str(dest)])
    return dest


_OVERLAY_OK: bool | None = None


def overlay_supported() -> bool:
    """Whether an overlayfs mount over the cached rootfs works on this machine (root + kernel
    overlay support + a filesystem that accepts it). Checked once per process."""
    global _OVERLAY_OK
    if _OVERLAY_OK is None:
        try:
            with tempfile.TemporaryDirectory(prefix="specc-ovl-probe-") as tmp, overlay_rootfs(tmp) as merged:
                _OVERLAY_OK = (merged / "usr/bin").is_dir()
        except (OSError, subprocess.CalledProcessError, RuntimeError):
            _OVERLAY_OK = False
    return _OVERLAY_OK


@contextlib.contextmanager
def overlay_rootfs(workdir: Path | str, source: Path | None = None) -> Iterator[Path]:
    """Mount a writable overlay of the master rootfs at ``workdir/merged`` and yield it.

    Why: a full ``cp -a`` of the ~210 MB rootfs took 6-7 s here under load; an overlay mount
    takes ~0.04 s and never changes the master (writes and deletions land in
    ``workdir/upper``). The mount is on the host (so tests can inspect files from outside) and is
    always unmounted when the context exits; ``workdir`` is left for the caller to delete.
    """
    src = source or base_rootfs()
    work = Path(workdir)
    upper, ovl_work, merged = work / "upper", work / "work", work / "merged"
    for d in (upper, ovl_work, merged):
        d.mkdir(parents=True, exist_ok=True)
    _run(
        ["mount", "-t", "overlay", "overlay", "-o", f"lowerdir={src},upperdir={upper},workdir={ovl_work}", str(merged)]
    )
    try:
        yield merged
    finally:
        for attempt in range(20):
            proc = subprocess.run(["umount", str(merged)], capture_output=True, check=False)
            if proc.returncode == 0:
                break
            time.sleep(0.1 * (attempt + 1))  # a just-exited chroot may still hold it briefly
        else:
            subprocess.run(["umount", "-l", str(merged)], capture_output=True, check=False)


def remove_rootfs(root: Path | str) -> None:
    """Delete a rootfs copy, refusing if anything is still mounted inside it (that would make
    ``rm -rf`` descend into the host's /proc or /dev)."""
    root = Path(root).resolve()
    mounts = Path("/proc/self/mounts").read_text().split("\n")
    for line in mounts:
        parts = line.split()
        if len(parts) > 1 and (parts[1] == str(root) or parts[1].startswith(f"{root}/")):
            raise RuntimeError(f"refusing to delete {root}: {parts[1]} is still mounted")
    shutil.rmtree(root, ignore_errors=True)


_CHROOT_WRAPPER = r"""
set -eu
root=$1; shift
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount -t tmpfs tmpfs "$root/tmp"
exec chroot "$root" "$@"
"""


def run_in_chroot(
    root: Path | str,
    argv: Sequence[str],
    env: Mapping[str, str] | None = None,
    timeout: float | None = 600,
    *,
    check: bool = False,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` chrooted in ``root`` with a clean environment; return the completed process.

    Why this shape: the host environment must not leak (an init script under test would
    otherwise see the host's PATH, pip config or virtualenv), so the child gets only PATH, HOME,
    LANG, the host's proxy variables and ``env``. The chroot runs in a private mount namespace
    (``unshare --mount --propagation private --fork``) where /dev, /proc, /sys and a tmpfs /tmp are
    mounted; when the process exits the namespace dies and every mount with it, so nothing is
    left mounted on the host even if the test crashes. It also gets its own PID namespace: on
    timeout, killing ``unshare`` kills the namespace's init and thereby every background process
    the script started, so nothing keeps running after the test. The host's resolv.conf is copied in so
    DNS (apt, pip) works over the host network (the chroot always shares it).
    """
    root = Path(root)
    resolv = root / "etc/resolv.conf"  # DNS for apt/pip over the host network
    if resolv.is_symlink():
        resolv.unlink()
    with contextlib.suppress(OSError):
        shutil.copy2("/etc/resolv.conf", resolv)
    child_env = {
        "PATH": CHROOT_PATH,
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "DEBIAN_FRONTEND": "noninteractive",
        **proxy_env(),
        **(dict(env) if env else {}),
    }
    cmd = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--pid",  # the chroot's processes live in their own PID namespace ...
        "--fork",
        "--kill-child",  # ... which dies (with every process in it) when unshare is killed
        "sh",
        "-c",
        _CHROOT_WRAPPER,
        "specc-chroot",
        str(root),
        "env",
        "-i",
        *(f"{k}={v}" for k, v in child_env.items()),
        *argv,
    ]
    return subprocess.run(
        cmd,
        text=True,
        capture_output=True,
        timeout=timeout,
        check=check,
        input=input,
        env={"PATH": CHROOT_PATH, "LC_ALL": "C"},
    )


def prepare_databricks_layout(root: Path | str) -> Path:
    """Give a rootfs copy the parts of a Databricks cluster node an init script relies on:
    ``/databricks/python`` (a venv, so ``/databricks/python/bin/pip`` exists) and
    ``/databricks/jars``. Returns ``root``."""
    root = Path(root)
    (root / "databricks/jars").mkdir(parents=True, exist_ok=True)
    run_in_chroot(root, ["python3", "-m", "venv", "/databricks/python"], check=True, timeout=120)
    return root


def install_r_in_rootfs(root: Path | str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Install ``r-base-core`` (no recommends) into a rootfs *copy*.

    Opt-in and not part of the cached base: it adds ~150 MB and a minute or so, and only the
    R-library tests need it. Raises ``CalledProcessError`` on failure.
    """
    root = Path(root)
    t0 = time.monotonic()
    run_in_chroot(root, ["apt-get", "update", "-qq"], check=True, timeout=timeout)
    left = max(30.0, timeout - (time.monotonic() - t0))
    return run_in_chroot(
        root,
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "r-base-core"],
        check=True,
        timeout=left,
    )
