"""The results layer: what is derived from the engine's arrays, computed once.

* :mod:`negsim.results.derived` -- agreement distribution, agreement round, surplus and
  its share (leverage), ripeness, the columns that are not settlement terms; used by
  :class:`negsim.Result`'s tables, the summaries, the sweeps and the plots;
* :mod:`negsim.results.summary` -- the plain-words summary and ``explain``;
* :mod:`negsim.results.views` -- the headline rows of a Result that figures read;
* :mod:`negsim.results.rows` -- the sweep's rows (summary or per actor) from arrays over
  points, the same for the batch path and for :func:`negsim.solve`.

May import: :mod:`negsim.engine` and below; never plots, reports, sweeps or the CLI.
(:mod:`negsim.result`, the :class:`~negsim.Result` record, belongs here; it stays at its
path while other work on it is merged.)
"""
