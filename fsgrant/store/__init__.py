"""The store: the only package that runs SQL.

* :mod:`~fsgrant.store.connection`: opening, pragmas, upgrades with a backup first,
  transactions with their audit entry (:class:`Store`).
* :mod:`~fsgrant.store.schema`: the schema as ordered migrations, their statements in
  ``migrations_first`` (0001-0004) and ``migrations_later`` (0005 onward), built from
  the pieces in ``schema_sql``.
* one module per kind of record (``grant``, ``years``, ``spend``, ``posts``,
  ``periods``, ``imports``, ``audit``): its SQL and rows turned into records;
  :class:`~fsgrant.store.tables.Tables` holds one of each for a store.
* :mod:`~fsgrant.store.health`: ``doctor`` findings and the ledger fingerprint.
"""
