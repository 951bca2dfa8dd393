"""The compiler's passes: one small function per module, run in order by :mod:`server.compiler.statement`.

Every pass has the same shape, ``(Compilation, Context) -> Compilation``
(:mod:`.state`), in the manner of sqlglot's optimizer rules and of the catalog's
``REWRITES``: it reads the statement as the previous pass left it and returns it
with one more guarantee. The order lives in one place,
:data:`server.compiler.statement.RULES`; each pass's docstring says why it exists
and what it promises to the passes after it.
"""
