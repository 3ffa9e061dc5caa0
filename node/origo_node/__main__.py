"""``python -m origo_node run --data-dir DIR``: the node without the CLI (what process supervisors start)."""

from origo_node.commands import node_app

if __name__ == "__main__":
    node_app(prog_name="origo-node")
