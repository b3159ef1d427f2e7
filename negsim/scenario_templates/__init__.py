"""Commented starting scenarios for ``negsim new NAME --template ...`` (package data:
``two-party.yaml``, ``multilateral.yaml``, ``war.yaml``; ``NAME`` is replaced).

May import: nothing (data only; read by :mod:`negsim.templates`).
"""
