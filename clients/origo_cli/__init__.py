"""The `origo` command: traders, officers, auditors and operators at the command line."""
