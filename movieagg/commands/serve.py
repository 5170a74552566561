"""`movieagg serve`: run the REST API (the service Lambda runs) and the front end locally."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n"
        "  movieagg serve\n\n"
        "  movieagg serve --port 9000 --frontend frontend/dist\n\n"
        "  movieagg serve --workers 4   # a 4-core host\n\n"
        "  curl 'http://127.0.0.1:8080/api/rate?title=The+Matrix'\n\n"
        "Settings come from the environment and config file, as for every command "
        "(MOVIEAGG_CORS_ORIGINS lists allowed browser origins; none by default). "
        "Logs are JSON lines on stdout, one per request."
    )
    def serve(
        host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[
            int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0 picks a free one).")
        ] = 8080,
        frontend: Annotated[
            Path | None,
            typer.Option(
                "--frontend",
                help="Built front end to serve for non-/api paths "
                "(default: $MOVIEAGG_FRONTEND or ./frontend/dist).",
                file_okay=False,
                dir_okay=True,
            ),
        ] = None,
        access_log: Annotated[
            bool, typer.Option("--access-log/--no-access-log", help="Log each request.")
        ] = True,
        workers: Annotated[
            int,
            typer.Option(
                "--workers",
                "-w",
                min=1,
                max=64,
                help="Worker processes sharing the port, one per core to use (each its own cache "
                "connections and runtime).",
            ),
        ] = 1,
    ) -> None:
        """Serve the REST API (the same service as AWS Lambda) and the front end over HTTP."""
        from movieagg.commands.common import fail
        from movieagg.core.config import Settings
        from movieagg.core.errors import EXIT_INTERNAL, ConfigurationError

        try:
            import uvicorn  # noqa: F401
        except ImportError:
            fail("movieagg serve needs uvicorn: pip install 'movieagg[serve]'", 3)
        from movieagg.aws.params import open_parameter_store
        from movieagg.web.server import serve as run_server
        from movieagg.web.static import find_frontend

        try:
            settings: Settings | None = Settings.from_env()
        except ConfigurationError:
            settings = None  # the service reports a broken configuration itself (503s, logs)
        try:
            header_timeout = settings.header_timeout if settings else 10.0
        except ConfigurationError as exc:
            fail(str(exc), exc.exit_code)
        directory = find_frontend(frontend, settings.frontend_dir if settings else None)
        if directory is not None and not (directory / "index.html").is_file():
            fail(f"no index.html in the front-end directory {directory}", 2)
        try:
            run_server(
                host,
                port,
                directory,
                access_log_enabled=access_log,
                forwarded_allow_ips=settings.forwarded_allow_ips if settings else "127.0.0.1",
                parameters=open_parameter_store,
                header_timeout=header_timeout,
                workers=workers,
            )
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__})", 2)
        except KeyboardInterrupt:
            pass
        except Exception as exc:
            fail(f"internal error ({type(exc).__name__})", EXIT_INTERNAL)
