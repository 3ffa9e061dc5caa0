"""The verification page every node serves at its root, and the printable view of a certificate."""
