"""Reaching the chain's JSON-RPC endpoint for `origo trail verify`: when it does not answer, why, in words."""

from __future__ import annotations


class RpcUnavailable(RuntimeError):
    """The JSON-RPC endpoint did not answer."""


def unreachable(rpc_url: str, exc: BaseException, timeout: float) -> str:
    """Why the chain could not be reached, in words, never the HTTP library's text (which names its pools and
    internal classes)."""
    import requests

    address = _address(rpc_url)
    if isinstance(exc, requests.exceptions.Timeout | TimeoutError):
        why = f"it did not answer within {timeout:g} s"
    elif isinstance(exc, requests.exceptions.HTTPError) and exc.response is not None:
        why = f"it answered HTTP {exc.response.status_code}, not as a JSON-RPC endpoint"
    elif isinstance(exc, requests.exceptions.ConnectionError | OSError):
        why = "nothing answered there (is the chain's node running, and is the address right?)"
    elif isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema | ValueError):
        why = "that is not an address a JSON-RPC endpoint can have (e.g. http://127.0.0.1:8545)"
    else:
        why = "it did not answer as a JSON-RPC endpoint of an Ethereum-style chain"
    return f"the chain could not be reached at {address}: {why}"


def _address(rpc_url: str) -> str:
    """The endpoint as a person can check it: scheme, host, port and path, without credentials or query."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(rpc_url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return repr(rpc_url)
    if not parts.scheme or not host:
        return repr(rpc_url)
    return f"{parts.scheme}://{host}{port}{parts.path}"


def is_transport_error(exc: Exception) -> bool:
    """Whether ``exc`` is the endpoint failing to answer (rather than a fault of the checker)."""
    import requests

    return isinstance(exc, requests.exceptions.RequestException | OSError | TimeoutError)
