"""PostgreSQL catalog emulation: pg_catalog and information_schema over a caller's visible relations.

:class:`~server.catalog.catalog.Catalog` answers catalog queries and relation-free
SELECTs; :func:`~server.catalog.route.names_catalog` tells the engine which
statements are catalog queries. Stable OIDs come from :mod:`.oids`.
"""
