"""Scenarios shipped with negsim (installed as the ``negsim.scenarios`` package data)."""
