"""Where annotation runs: this process, local worker processes, or a Dask cluster.

- ``local.iter_records``: records in input order, from ``nlp.pipe`` in this process or from a
  pool of worker processes that each annotate and serialise whole batches
  (``policylens annotate --n-process N``).
- ``dask_engine.annotate_dask``: inputs cut into partitions, one task per partition on a Dask
  cluster, each worker loading the pipeline once and writing its own part of the output
  (``policylens annotate --engine dask [--scheduler ADDRESS]``; needs ``policylens[dask]``).
"""
ENGINES = ("local", "dask")
