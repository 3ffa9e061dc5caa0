"""Operating a node: how its background loops fare (health), Prometheus metrics, backup and restore."""
