"""The built-in document types' names, defined once: the types take their ``name`` from here, and code that
must tell one type from another (linking a manifest, the Form D page) compares with these, never a literal."""

from __future__ import annotations

FORM_D = "atiga-form-d"
CARGO_MANIFEST = "fal-cargo-manifest"
ACDD = "asean-acdd"
