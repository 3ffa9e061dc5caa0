"""The `origo` command.

Grouped by who uses it: anyone (`verify`, `members`), officers (`cert`, `manifest`, `declaration`, `desk`),
auditors (`trail`), admins (`consortium`) and operators (`node`). The global options --node, --api-key and
--json may be given anywhere on the line; --node and --api-key also come from ORIGO_NODE and ORIGO_API_KEY.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Annotated

import typer
from origo_node.commands import node_app
from origo_sdk import DEFAULT_NODE, ApiError, OrigoError

from origo_cli import exit_codes
from origo_cli._context import Options, UserError, console
from origo_cli.commands_cert import cert_app
from origo_cli.commands_desk import form_d, reason_codes, version_callback, work_list
from origo_cli.commands_more import consortium_app, manifest_app, members
from origo_cli.commands_risk import declaration_app, desk_app
from origo_cli.commands_trail import trail_app
from origo_cli.commands_verify import verify
from origo_cli.commands_webhook import webhook_app
from origo_cli.exit_codes import ExitCode
from origo_cli.messages import for_person
from origo_cli.network_commands import network_app

EPILOG = (
    "Exit codes: 0 ok/valid (also partially accepted); 2 usage or bad file; 3 auth; 4 node or RPC "
    "unreachable or failing; 5 not found; 6 refused by the node (invalid); 7 conflict or chain rule; "
    "8 trail export does not hold; 10 tampered; 11 revoked; 12 superseded; 13 expired; "
    "14 rejected at import; 15 unknown; 16 under verification; 17 pending; 18 used (fully accepted); "
    "19 refused by the consortium; 20 not confirmed by the issuing authority; 1 internal error."
)

app = typer.Typer(
    name="origo",
    help="Origo: certificates of origin and cargo manifests exchanged between ASEAN customs authorities.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)


@app.callback()
def root(
    ctx: typer.Context,
    node: Annotated[
        str, typer.Option("--node", envvar="ORIGO_NODE", help="The node's URL.", show_default=True)
    ] = DEFAULT_NODE,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", envvar="ORIGO_API_KEY", help="An officer, auditor or admin key."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1, help="Seconds to wait for the node.")] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", envvar="ORIGO_RETRIES", min=0, max=10, help="Retries of reads.")
    ] = 3,
    _version: Annotated[
        bool | None,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Print the version and exit."
        ),
    ] = None,
) -> None:
    if not node.startswith(("http://", "https://")):
        raise UserError(f"--node must be an http(s) URL, got {node!r}")
    ctx.obj = Options(node=node, api_key=api_key or None, json=json_output, timeout=timeout, retries=retries)


app.command("verify", rich_help_panel="Anyone")(verify)
app.command("members", rich_help_panel="Anyone")(members)
cert_app.command("list")(work_list)
cert_app.command("form-d")(form_d)
cert_app.command("reasons")(reason_codes)
app.add_typer(cert_app, name="cert", rich_help_panel="Officers")
app.add_typer(manifest_app, name="manifest", rich_help_panel="Officers")
app.add_typer(declaration_app, name="declaration", rich_help_panel="Officers")
app.add_typer(desk_app, name="desk", rich_help_panel="Officers")
app.add_typer(trail_app, name="trail", rich_help_panel="Auditors")
app.add_typer(consortium_app, name="consortium", rich_help_panel="Admins")
app.add_typer(webhook_app, name="webhook", rich_help_panel="Admins")
app.add_typer(node_app, name="node", rich_help_panel="Operators")
app.add_typer(network_app, name="network", rich_help_panel="Operators")

_VALUED = ("--node", "--api-key", "--timeout", "--retries")
_FLAGS = ("--json",)


def hoist_global_options(argv: Sequence[str]) -> list[str]:
    """Moves the global options to the front: `origo verify x.json --json` = `origo --json verify x.json`.

    Only the exact global option names move (with their value); everything after `--` stays put.
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    args = list(argv)
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in _FLAGS or (name in _VALUED and "=" in arg):
            front.append(arg)
        elif arg in _VALUED and i + 1 < len(args):
            front.extend(args[i : i + 2])
            i += 1
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _report(error: OrigoError | UserError, as_json: bool) -> ExitCode:
    if isinstance(error, UserError):
        code, message, problem = error.code, error.message, None
    else:
        code, message = exit_codes.for_error(error), for_person(error)
        problem = error.problem if isinstance(error, ApiError) else None
    err = console(stderr=True)
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False)
    if isinstance(error, ApiError):
        # A problem with one error often says it twice, as its detail and as the error: print it once.
        details = [item for item in error.errors if item.get("message") != message]
        for item in details[:20]:
            err.print(f"  {item.get('pointer') or '/'}: {item.get('message', '')}", markup=False)
        if len(details) > 20:
            err.print(f"  ... and {len(details) - 20} more")
    if as_json:
        body = problem or {"title": message, "status": None}
        sys.stdout.write(json.dumps({"error": body, "exit_code": int(code)}, ensure_ascii=False) + "\n")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: sys.argv[1:]); returns the exit code (and exits when run)."""
    args = hoist_global_options(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args[: args.index("--")] if "--" in args else "--json" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="origo", standalone_mode=False)
    except typer.Exit as exc:
        code = int(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument...
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            console(stderr=True).print(f"error: {exc.format_message()}", markup=False)
        code = exc.exit_code
    except typer.Abort:
        console(stderr=True).print("aborted")
        code = ExitCode.FAILURE
    except (OrigoError, UserError) as exc:
        code = _report(exc, as_json)
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:
        if os.environ.get("ORIGO_DEBUG"):
            traceback.print_exc()
        console(stderr=True).print(
            f"[red]internal error:[/red] {type(exc).__name__}: {exc} (set ORIGO_DEBUG=1 for the traceback)",
            highlight=False,
        )
        code = ExitCode.FAILURE
    else:
        code = result if isinstance(result, int) else 0
    if argv is None:
        sys.exit(int(code))
    return int(code)


if __name__ == "__main__":
    main()
