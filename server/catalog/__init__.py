"""PostgreSQL catalog emulation: pg_catalog and information_schema over a caller's visible relations.

:class:`~server.catalog.catalog.Catalog` answers catalog queries and relation-free
SELECTs; the statement lifecycle's :func:`~server.statement.route.route` decides
which statements those are. Stable OIDs come from :mod:`.oids`.
"""
