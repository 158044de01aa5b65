"""``stratcompare serve``: the web application for policy staff (a thin shell over
:func:`stratcompare.web.create_app` and uvicorn)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from stratcompare.cli.app import DbOption, app, fail, run
from stratcompare.errors import UsageError


def check_binding(host: str, token: str | None) -> None:
    """Anything but loopback needs a token: refuse to start otherwise."""
    from stratcompare.web.app import is_loopback

    if not is_loopback(host) and not token:
        raise UsageError(f"--host {host} opens the app to the network and needs an access token",
                         hint="add --token SECRET or set STRATCOMPARE_TOKEN, or keep the default --host 127.0.0.1")
    if token is not None and len(token) < 8:
        raise UsageError("the access token is too short", hint="use at least 8 characters")


def check_port(host: str, port: int) -> None:
    """Say at once, in one line, when the address cannot be listened on (a second ``serve`` on
    the same port): otherwise the model loads first and the server's own log line comes last."""
    import errno
    import socket

    try:
        family, kind, proto, _, addr = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise UsageError(f"cannot listen on --host {host}: {exc.strerror}",
                         hint="use an address of this machine, e.g. 127.0.0.1") from None
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # as the server itself does
        try:
            sock.bind(addr)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(f"port {port} on {host} is already in use",
                                 hint=f"stop the program using it, or choose another: --port {port + 1}") from None
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                             hint="choose another --host or --port") from None


def allowed_hosts(host: str, token: str | None) -> list[str] | None:
    """Without a token the app trusts that only this machine reaches it: then answer only
    requests addressed to a loopback name (no DNS rebinding from a web page elsewhere)."""
    if token:
        return None
    return sorted({"127.0.0.1", "localhost", "::1", "[::1]", host.strip("[]"), f"[{host.strip('[]')}]"})


@app.command(epilog="Example: stratcompare serve --db stratcompare.db --port 8000")
def serve(
    db: Optional[Path] = DbOption,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (other than loopback needs --token)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    token: Optional[str] = typer.Option(None, "--token", envvar="STRATCOMPARE_TOKEN", show_default=False,
                                        help="Access token required on every request (needed for a non-loopback --host)."),
    model: Optional[str] = typer.Option(None, "--model", envvar="STRATCOMPARE_MODEL", show_default=False,
                                        help="Embedding model for search (default: the one stored in the database)."),
    mode: str = typer.Option("hybrid", "--mode", help="Search mode: hybrid, dense or lexical (no model)."),
) -> None:
    """Start the web application: search, passages, documents, municipalities, themes, compare."""
    from stratcompare.config import db_path

    started = time.perf_counter()
    run(check_binding, host, token)
    run(check_port, host, port)
    try:
        import uvicorn
    except ImportError:
        from stratcompare.errors import MissingDependencyError
        raise fail(MissingDependencyError("the web application needs uvicorn", hint="pip install uvicorn starlette jinja2"))
    from stratcompare.web import create_app

    path = db_path(db)
    web = run(create_app, path, token=token, model=model, mode=mode,
              progress=lambda msg: typer.echo(msg, err=True), allowed_hosts=allowed_hosts(host, token))
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Serving {path} read-only at http://{shown}:{port}/"
               + (" (token required)" if token else "")
               + f"; ready in {time.perf_counter() - started:.1f} s. Ctrl-C stops.", err=True)
    _exit_cleanly_on_sigterm()
    uvicorn.run(web, host=host, port=port, log_level="warning", access_log=False)


def _exit_cleanly_on_sigterm() -> None:
    """uvicorn stops gracefully on SIGTERM and then raises the signal again: with Python's default
    handler the process would die without running its exit handlers (which remove the working
    copy of a database served from a read-only place)."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
