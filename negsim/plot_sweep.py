"""Figures of sweeps, kept under their old name: see :mod:`negsim.plot.sweep`."""

from negsim.plot.sweep import fan, fan_data, heatmap, heatmap_data, line, tornado

__all__ = ["fan", "fan_data", "heatmap", "heatmap_data", "line", "tornado"]
