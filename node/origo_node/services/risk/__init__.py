"""Risk signals for the importing officer: what a member's own node finds in the documents it can read.

Each document that arrives for the member gets signals (a rule, its evidence, a weight and a sentence) and a
score that orders the officer's work list. The rules are pure functions over typed views of the decrypted
documents (``views``), one module per family: ``consistency`` (certificate, manifest and declaration against
each other), ``origin``, ``value``, ``history`` and ``integrity``. ``service`` gathers their inputs from the
index and the payloads; ``settings`` holds each member's weights and thresholds. Nothing here is published
on the chain: the signals stay with the member that computed them.
"""
