"""Checks an operator's command makes before it changes anything: a strong enough passphrase, a free port."""

from __future__ import annotations

import errno
import socket

MIN_PASSPHRASE_LENGTH = 12
MIN_DISTINCT_CHARACTERS = 6
PASSPHRASE_RULE = (
    f"at least {MIN_PASSPHRASE_LENGTH} characters of at least two kinds (lower case, upper case, digits, "
    f"spaces or symbols) and at least {MIN_DISTINCT_CHARACTERS} different characters; "
    "a few words with spaces between them make a good one"
)


def _kinds(text: str) -> int:
    return sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )


def passphrase_problem(passphrase: str) -> str | None:
    """Why ``passphrase`` is too weak to protect a member's keystores, or None.

    The keystores hold the accounts that sign documents and votes for a customs authority; scrypt slows a
    guesser down, but not enough for a short or one-kind passphrase.
    """
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        return f"the passphrase has {len(passphrase)} characters; use {PASSPHRASE_RULE}"
    if _kinds(passphrase) < 2:
        return f"the passphrase uses one kind of character only; use {PASSPHRASE_RULE}"
    if len(set(passphrase)) < MIN_DISTINCT_CHARACTERS:
        return f"the passphrase repeats a few characters only; use {PASSPHRASE_RULE}"
    return None


def port_problem(host: str, port: int) -> str | None:
    """Why the node could not listen on ``host:port`` now (in use, not allowed), or None.

    Binds the way the server will (with SO_REUSEADDR, so a port in TIME_WAIT after a stop is not taken
    for a busy one) and lets go at once.
    """
    if port == 0:
        return None  # the system picks a free port when the server starts
    if not 0 < port < 65536:
        return f"port {port} is not a TCP port (1-65535)"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except PermissionError:
            return f"port {port} needs privileges this user does not have (ports below 1024 usually do)"
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is already in use (by another program, or a node already runs)"
            if exc.errno == errno.EADDRNOTAVAIL:
                return f"{host} is not an address of this machine"
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None
