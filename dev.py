#!/usr/bin/env python3
"""Bootstrap and run Adoption Desktop from a fresh checkout (standard library only).

    python3 dev.py start     start the application (embedded database; demo available)
    python3 dev.py test      run the whole test suite (ruff, mypy, pytest)
    python3 dev.py cli ...   run a headless command, e.g. `python3 dev.py cli demo --db demo.db`
    python3 dev.py bench     run the benchmarks in bench/ and rewrite docs/benchmarks.md

On Windows use `py dev.py start` / `py dev.py test`.

Each command creates `.venv` from the pinned lock file (with hashes) when it is missing or when the
lock changed, and on Debian installs the system libraries Qt needs with apt when running as root
(otherwise it prints the exact command to run).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
IS_WINDOWS = os.name == "nt"
PY = VENV / ("Scripts/python.exe" if IS_WINDOWS else "bin/python")

# Debian 12 packages that a bare machine needs for Qt's xcb/offscreen platforms (see shared stack notes).
DEBIAN_QT_LIBS = [
    "libgl1", "libegl1", "libxkbcommon0", "libglib2.0-0", "libx11-6", "libdbus-1-3",
    "libfontconfig1", "libfreetype6", "fonts-dejavu-core", "libxkbcommon-x11-0",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
    "libxcb-randr0", "libxcb-render-util0", "libxcb-image0", "libxcb-xinerama0",
]
# Needed by the tests only: NSIS compiles the Windows installer script against a stub payload
# (tests/installer/test_nsis_installer.py) and Wine runs it: silent install, upgrade, uninstall
# (test_nsis_wine.py); PyInstaller reads binaries with objdump (binutils) for the bundle test.
# PostgreSQL is already in this machine image.
# wixl and msitools build the MSI from the WiX source and read its tables back (test_msi.py).
# LibreOffice converts the minutes and the report documents to PDF, to check they open and paginate
# (tests/panel/test_documents.py, tests/reports/test_report_document.py: skipped without it on a fresh
# machine, which CI is).
DEBIAN_TEST_EXTRAS: list[str] = ["nsis", "binutils", "wine", "wine64", "wixl", "msitools", "libreoffice-writer-nogui"]


def say(msg: str) -> None:
    print(f"[dev.py] {msg}", flush=True)


def debian_missing(packages: list[str]) -> list[str]:
    missing = []
    for pkg in packages:
        res = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in res.stdout:
            missing.append(pkg)
    return missing


def ensure_system_libraries(packages: list[str] | None = None, purpose: str = "Qt") -> None:
    """Install Debian packages with apt when running as root; otherwise print the exact command."""
    if IS_WINDOWS or sys.platform == "darwin" or not Path("/etc/debian_version").exists():
        return
    if shutil.which("dpkg-query") is None:
        return
    missing = debian_missing(DEBIAN_QT_LIBS if packages is None else packages)
    if not missing:
        return
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        say(f"installing system packages for {purpose}: " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(cmd, check=True, env=env)
    else:
        say(f"{purpose} needs these system packages; please run:\n    sudo " + " ".join(cmd))


def ensure_venv_support() -> None:
    """Debian's Python has no ensurepip (so no venv with pip) until python3-venv is installed."""
    import importlib.util

    if importlib.util.find_spec("ensurepip") is not None or not Path("/etc/debian_version").exists():
        return
    version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", "python3-venv", version]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        say("installing Debian's venv support: " + " ".join(cmd[4:]))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        if subprocess.run(cmd, check=False, env=env).returncode != 0:
            subprocess.run([*cmd[:-1]], check=True, env=env)
    else:
        say("Python's venv module needs Debian's package; please run:\n    sudo " + " ".join(cmd))
        sys.exit(1)


def lock_file(dev: bool) -> Path:
    return ROOT / "requirements" / ("dev.lock" if dev else "runtime.lock")


def ensure_venv(dev: bool) -> None:
    lock = lock_file(dev)
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / (".stamp-dev" if dev else ".stamp-runtime")
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        ensure_venv_support()
        say(f"creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True, clear=False).create(VENV)
    say(f"installing pinned packages from {lock.relative_to(ROOT)}")
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    # --no-deps: the lock is complete; rapidocr-onnxruntime asks for opencv-python, which the lock
    # replaces with the headless build (requirements/overrides.txt).
    subprocess.run([*pip, "install", "--require-hashes", "--no-deps", "-r", str(lock)], check=True)
    subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    for old in VENV.glob(".stamp-*"):
        old.unlink()
    stamp.write_text(digest)
    if dev:
        (VENV / ".stamp-runtime").write_text(
            hashlib.sha256(lock_file(False).read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
        )


def run(args: list[str], env: dict[str, str] | None = None) -> int:
    return subprocess.run(args, cwd=ROOT, env=env, check=False).returncode


def cmd_start(extra: list[str]) -> int:
    dev_stamp = VENV / ".stamp-dev"
    ensure_venv(dev=dev_stamp.exists())
    ensure_system_libraries()
    return run([str(PY), "-m", "adoption_desktop", *extra])


def cmd_cli(extra: list[str]) -> int:
    ensure_venv(dev=(VENV / ".stamp-dev").exists())
    return run([str(PY), "-m", "adoption_desktop", *extra])


def start_bundle_build(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    """The frozen build the installer tests run (tests/installer/test_bundle.py), started now so that it
    runs beside ruff, mypy and the bytecode step on the second core instead of after them (~1 min of a
    fresh run). Its output goes to ``build.log`` in its folder."""
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="adk-bundle-"))
    with open(work / "build.log", "wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(
            [str(PY), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(work / "dist"),
             "--workpath", str(work / "build"), str(ROOT / "installer" / "adoption_desktop.spec")],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=not IS_WINDOWS)  # its own process group: stopped whole (stop_bundle_build)
    return proc, work


def stop_bundle_build(build: tuple[subprocess.Popen[bytes], Path]) -> None:
    """Stop the build if it still runs (its helper processes too, on POSIX) and remove its folder."""
    proc, work = build
    if proc.poll() is None:
        if IS_WINDOWS:
            proc.kill()
        else:
            import signal

            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    shutil.rmtree(work, ignore_errors=True)


def finish_bundle_build(build: tuple[subprocess.Popen[bytes], Path], env: dict[str, str]) -> None:
    """Wait for the build; when it worked, the tests use it (``ADK_TEST_BUNDLE``). When it did not, they
    build it again themselves and report the failure with its output."""
    proc, work = build
    try:
        code: int | str = proc.wait(timeout=900)  # the limit the test's own build had
    except subprocess.TimeoutExpired:
        stop_bundle_build(build)
        code = "stopped after 15 minutes"
    folder = work / "dist" / "AdoptionDesktop"
    if code == 0 and folder.is_dir():
        env["ADK_TEST_BUNDLE"] = str(folder)
    else:
        log = work / "build.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        say(f"the frozen build for the installer tests failed ({code}); the tests will build it again and report "
            f"it. Its output ended:\n{tail}")


def cmd_test(extra: list[str]) -> int:
    ensure_venv(dev=True)
    ensure_system_libraries()
    ensure_system_libraries(DEBIAN_TEST_EXTRAS, "the installer tests")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONDONTWRITEBYTECODE="1")
    # the whole suite (CI's run) needs the frozen build; a run of chosen tests may not. A bundle named by
    # the caller's environment is never used: the tests run the one built here from this tree.
    env.pop("ADK_TEST_BUNDLE", None)
    build = start_bundle_build(env) if not extra else None
    try:
        return _run_test_steps(extra, env, build)
    finally:
        if build is not None:
            stop_bundle_build(build)


def test_workers(extra: list[str]) -> list[str]:
    """pytest-xdist's worker count for the whole suite: one per core and one more, at most 4
    (``ADK_TEST_WORKERS`` sets it; 0 runs the tests in this one process). The tests are independent of one
    another (each its own files, keyring and PostgreSQL database; each worker its own server). Many of them
    wait (another process holding the file, a busy wait, a subprocess starting): with one worker per core a
    CI run kept the 2 cores 161 % busy of 200 %; the extra worker runs while another waits. A run of chosen
    tests stays in one process unless the caller asks (``-n``)."""
    if extra:
        return []
    wanted = os.environ.get("ADK_TEST_WORKERS", "").strip()
    count = int(wanted) if wanted.isdigit() else min((os.cpu_count() or 1) + 1, 4)
    return ["-n", str(count)] if count > 1 else []


def _run_test_steps(extra: list[str], env: dict[str, str],
                    build: tuple[subprocess.Popen[bytes], Path] | None) -> int:
    steps: list[tuple[str, list[str]]] = [
        ("ruff", [str(PY), "-m", "ruff", "check", "adoption_desktop", "tests", "bench", "installer", "dev.py"]),
        ("mypy", [str(PY), "-m", "mypy"]),
        # bytecode for the program's and the tests' modules, once: the tests start hundreds of processes
        # (the CLI, other programs on one file, workers), and under PYTHONDONTWRITEBYTECODE each of them
        # compiled every module it imports from source again (~0.25 s a process on this machine kind)
        ("compile", [str(PY), "-m", "compileall", "-q", "-j", "0", "adoption_desktop", "tests", "bench"]),
        ("pytest", [str(PY), "-m", "pytest", *test_workers(extra), *extra]),
    ]
    for name, args in steps:
        if name == "pytest" and build is not None:
            finish_bundle_build(build, env)
        say(f"running {name}")
        code = run(args, env=env)
        if code != 0:
            say(f"{name} failed (exit {code})")
            return code or 1
    return 0


# The letters benchmark's peer: a Word mail merge converted by LibreOffice (bench/bench_letters.py).
DEBIAN_BENCH_EXTRAS: list[str] = ["libreoffice-writer-nogui"]


def cmd_bench(extra: list[str]) -> int:
    ensure_venv(dev=True)
    ensure_system_libraries()
    ensure_system_libraries(DEBIAN_BENCH_EXTRAS, "the letters benchmark (LibreOffice peer)")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    return run([str(PY), str(ROOT / "bench" / "run_all.py"), *extra], env=env)


def main(argv: list[str]) -> int:
    if not IS_WINDOWS:
        os.umask(0o077)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    command, extra = argv[0], argv[1:]
    handlers = {"start": cmd_start, "test": cmd_test, "cli": cmd_cli, "bench": cmd_bench}
    if command not in handlers:
        print(__doc__)
        say(f"unknown command {command!r}")
        return 2
    return handlers[command](extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
