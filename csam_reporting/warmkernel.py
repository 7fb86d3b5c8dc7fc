"""Fresh IPython kernels without the start-up cost: forked from one warm interpreter.

Every chapter starts a kernel that spends most of its life importing pandas, matplotlib and
IPython before it runs a line of the chapter. :class:`WarmKernels` starts one server process that
imports those modules once (and runs no chapter code), and installs a private ``python3`` kernel
spec whose launcher asks that server for a kernel: the server forks, and the child becomes an
ordinary ipykernel on the connection file jupyter_client gave it, in the launcher's working folder
and environment. Each chapter still gets its own fresh interpreter (a fork shares nothing with its
siblings), and outputs are those of a normal kernel; only the imports are already done, and the
data package (``$CSAM_DATA_DIR``) is already validated, which the build has done anyway before any
chapter runs.

Modules that set themselves up against the running kernel (``matplotlib.pyplot``, the inline
backend, seaborn, which imports pyplot) are left for the child to import, so they bind to its
shell exactly as in a cold kernel. Used only for the parallel pre-fill; Sphinx, and any build run
with ``--serial``, start kernels the usual way.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SOCKET_VARIABLE = "CSAM_WARM_KERNEL_SOCKET"
VERDICT_VARIABLE = "CSAM_WARM_VALIDATION_VERDICT"  # a file the caller writes once it has validated the data

# Imported once in the server. Nothing here may create threads or bind to an IPython shell.
WARM_MODULES = [
    "numpy", "pandas", "matplotlib", "matplotlib.figure", "matplotlib.backend_bases", "matplotlib.image",
    "matplotlib.text", "matplotlib.axes", "matplotlib.colors", "matplotlib.ticker",
    "IPython", "IPython.core.interactiveshell", "IPython.display",
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
    "csam_reporting.data", "csam_reporting.analysis.common",
]

def _serve(socket_path: str) -> None:
    """The warm server: import once, then fork one kernel per request."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel sets it
    import importlib

    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # Validating the data package is the costliest step of a chapter's first data.load(). The build
    # has validated it already; do it once more here, so that every kernel forked from this process
    # finds it in data's cache (keyed by folder and content fingerprint: changed data re-validates).
    if os.environ.get("CSAM_DATA_DIR"):
        from csam_reporting import data
        from csam_reporting.data.validate import DataValidationError

        # A caller that validates the data itself (the build) says so, with the fingerprint of what
        # it checked, instead of having it checked twice; until it says, no kernel is served.
        verdict = os.environ.get(VERDICT_VARIABLE)
        if verdict:
            while not os.path.exists(verdict):
                time.sleep(0.02)
            checked = Path(verdict).read_text(encoding="utf-8").strip()
            if checked:
                data.validated_elsewhere(data.data_dir(), checked)
        try:
            data.resource_names()
        except DataValidationError:
            pass  # each chapter's first data.load() raises it, naming file, row and column
    children: dict[int, socket.socket] = {}

    def reap(signum, frame):
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            client = children.pop(pid, None)
            if client is not None:
                client.close()

    signal.signal(signal.SIGCHLD, reap)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path + ".starting")
    server.listen(16)
    os.rename(socket_path + ".starting", socket_path)  # the socket appears only once it listens
    while True:
        try:
            client, _ = server.accept()
        except InterruptedError:
            continue
        request = json.loads(client.makefile().readline())
        pid = os.fork()
        if pid == 0:  # the kernel
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            client.close()
            for other in children.values():  # a launcher sees its kernel end when the server closes
                other.close()
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
            if os.environ.get("JPY_PARENT_PID"):  # as a cold kernel reads it at import
                sys.argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
            code = 0
            try:
                from ipykernel.kernelapp import IPKernelApp

                IPKernelApp.launch_instance(argv=sys.argv[1:])
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else 0
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children[pid] = client
        client.sendall(f"{pid}\n".encode())


class WarmKernels:
    """A context manager: while open, ``python3`` kernels started in this process come warm.

    :meth:`start` may be called before the context is entered, so that the server imports while
    the caller does other work (the build validates the data meanwhile); ``environment`` is added
    to the server's environment (``CSAM_DATA_DIR``: the data it validates in advance).
    """

    def __init__(self, environment: dict[str, str] | None = None, validates: bool = False) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="csam-warm-")
        self.folder = Path(self._folder.name)
        self.socket = str(self.folder / "kernels.sock")
        self.process: subprocess.Popen | None = None
        self.environment = dict(environment or {})
        # With ``validates``, the caller validates the data and reports it with :meth:`validated`.
        self.verdict = self.folder / "validated"
        if validates:
            self.environment[VERDICT_VARIABLE] = str(self.verdict)
        self._saved: dict[str, str | None] = {}

    def validated(self, fingerprint: str) -> None:
        """Tell the server the data (``$CSAM_DATA_DIR``) passed validation with this fingerprint
        (of :func:`csam_reporting.data.data_fingerprint`); an empty one means: check it yourself."""
        partial = self.verdict.with_suffix(".partial")
        partial.write_text(fingerprint + "\n", encoding="utf-8")
        os.replace(partial, self.verdict)

    def start(self) -> "WarmKernels":
        """Start the server without waiting for it (once)."""
        if self.process is not None:
            return self
        launcher = self.folder / "launch.py"
        launcher.write_text(LAUNCHER_SOURCE, encoding="utf-8")
        spec = self.folder / "jupyter" / "kernels" / "python3"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-I", "-S", str(launcher), "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python",
            "metadata": {"debugger": True},
        }), encoding="utf-8")
        # Its own session: on exit the server and every kernel forked from it (one stuck in a cell
        # whose launcher jupyter_client killed, say) end together.
        self.process = subprocess.Popen([sys.executable, "-c", f"from csam_reporting.warmkernel import _serve; "
                                         f"_serve({self.socket!r})"], start_new_session=True,
                                        env={**os.environ, **self.environment})
        return self

    def __enter__(self) -> "WarmKernels":
        self.start()
        deadline = time.monotonic() + 120
        while not os.path.exists(self.socket):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.process.kill()
                raise RuntimeError("the warm kernel server did not start")
            time.sleep(0.05)
        for key, value in {SOCKET_VARIABLE: self.socket,
                           "JUPYTER_PATH": os.pathsep.join(filter(None, [str(self.folder / "jupyter"),
                                                                         os.environ.get("JUPYTER_PATH")]))}.items():
            self._saved[key] = os.environ.get(key)
            os.environ[key] = value
        return self

    def __exit__(self, *exc) -> None:
        for key, value in self._saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if self.process is not None:
            for signum in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(self.process.pid, signum)
                except ProcessLookupError:
                    break
                try:
                    self.process.wait(timeout=5)
                    break
                except subprocess.TimeoutExpired:
                    continue
        self._folder.cleanup()


LAUNCHER_SOURCE = r'''
import json, os, select, signal, socket, sys
connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
connection.connect(os.environ["CSAM_WARM_KERNEL_SOCKET"])
request = {"connection_file": sys.argv[1], "cwd": os.getcwd(), "env": dict(os.environ)}
connection.sendall(json.dumps(request).encode() + b"\n")
reply = b""
while not reply.endswith(b"\n"):
    chunk = connection.recv(64)
    if not chunk:
        sys.exit(1)
    reply += chunk
pid = int(reply)

def forward(signum, frame):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass

for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(signum, forward)
# The server closes this connection when the kernel has exited.
while True:
    try:
        readable, _, _ = select.select([connection], [], [], 1.0)
    except InterruptedError:
        continue
    if readable and not connection.recv(64):
        break
'''
