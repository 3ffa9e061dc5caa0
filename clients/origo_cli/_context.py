"""What every command shares: the global options, the client they give, and how results are printed."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from origo_sdk import DEFAULT_NODE, ApiError, OrigoClient
from pydantic import BaseModel
from rich.console import Console

from origo_cli.exit_codes import ExitCode


class UserError(Exception):
    """A mistake of the person at the keyboard: shown as one line, exit code 2 (or the one given)."""

    def __init__(self, message: str, code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Options:
    node: str = DEFAULT_NODE
    api_key: str | None = None
    json: bool = False
    timeout: float = 30.0
    retries: int = 3


def options(ctx: typer.Context) -> Options:
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def client(ctx: typer.Context) -> OrigoClient:
    opts = options(ctx)
    made = OrigoClient(opts.node, api_key=opts.api_key, timeout=opts.timeout, retries=opts.retries)
    ctx.call_on_close(made.close)
    return made


@contextmanager
def body_from_options(options_of_fields: Mapping[str, str]) -> Iterator[None]:
    """The request body is made from these options (body field -> option).

    A refusal that points into the body names the option the person typed (``--item``), not the field of a
    JSON body they never saw (``/item``)."""
    try:
        yield
    except ApiError as error:
        error.errors = [
            {**e, "pointer": _option_named(str(e.get("pointer") or ""), options_of_fields)}
            for e in error.errors
        ]
        raise


def _option_named(pointer: str, options_of_fields: Mapping[str, str]) -> str:
    field, _, rest = pointer.strip("/").partition("/")
    option = options_of_fields.get(field)
    if option is None:
        return pointer
    position = rest.partition("/")[0]
    # A repeated option's n-th use: /claims/1/quantity is the second --claim.
    return f"{option} (number {int(position) + 1})" if position.isdigit() else option


def console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    wide = None if stream.isatty() else 160  # tables in pipes and logs keep ids on one line
    return Console(file=stream, width=wide, highlight=False, soft_wrap=False)


def jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def read_json_file(path: Path) -> tuple[bytes, Any]:
    """A file's bytes and its parsed JSON; :class:`UserError` if it is missing, unreadable or not JSON."""
    if str(path) == "-":
        raw = sys.stdin.buffer.read()
    else:
        if not path.exists():
            raise UserError(f"no such file: {path}")
        if path.is_dir():
            raise UserError(f"{path} is a directory, not a file")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return raw, json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise UserError(f"{path} is not valid JSON{where}: {getattr(exc, 'msg', exc)}") from exc


def write_file(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc


def wrote(ctx: typer.Context, path: Path, what: str) -> None:
    """Says what ``-o FILE`` wrote, and where (on stderr, or as JSON with --json)."""
    size = path.stat().st_size if path.exists() else 0
    if options(ctx).json:
        print_json({"file": str(path.resolve()), "bytes": size, "content": what})
    else:
        console(stderr=True).print(f"wrote {what} to {path} ({size:,} bytes)", markup=False)


def done(code: ExitCode) -> None:
    if code != ExitCode.OK:
        raise typer.Exit(int(code))
