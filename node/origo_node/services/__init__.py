"""Use cases, one module each: issue, act on a document, read its status, verify a file, trail, govern."""
