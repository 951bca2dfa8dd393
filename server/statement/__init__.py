"""The statement lifecycle every channel shares: prepare, bind, run, cancel.

The wire server, Flight SQL and (later) the HTTP channels are codecs around
:class:`~server.statement.service.StatementService`: they turn their messages
into calls to it and its results into their bytes. Parsing, routing, parameter
typing, result description and the plan-cache key are decided here once, so two
channels can never disagree about what a statement means or how it fails.
"""

from server.statement.route import Route, route
from server.statement.service import Portal, Statement, StatementService

__all__ = ["Portal", "Route", "Statement", "StatementService", "route"]
