"""The states of one PostgreSQL connection, as the protocol (not the query) sees them.

A state says which frontend messages are legal next; :mod:`.connection` keeps
the table of what each (state, message type) pair does. The transaction status
is kept beside it because ReadyForQuery reports it, and it is the session's
(``server.session``) to decide, the protocol's only to carry.
"""

from __future__ import annotations

from enum import Enum

from server.session.session import TransactionStatus


class State(Enum):
    """Where a connection is in the protocol (PostgreSQL's protocol flow, chapter 55.2)."""

    STARTUP = "startup"  # expecting a start-up packet, an SSL/GSS encryption request or a CancelRequest
    TLS_HANDSHAKE = "tls handshake"  # answered 'S' to an SSLRequest: the next bytes are TLS, not messages
    AUTHENTICATING = "authenticating"  # start-up accepted: only the method's password/SASL messages (or Terminate)
    READY = "ready"  # ReadyForQuery sent: any query-phase message may come
    SIMPLE_QUERY = "simple query"  # a Query (or FunctionCall) is being answered; ends with ReadyForQuery
    EXTENDED = "extended"  # inside an extended-query batch (Parse/Bind/Describe/Execute/Close since the last Sync)
    SKIPPING = "skipping"  # an error in the batch: every message up to Sync is discarded
    COPY_OUT = "copy out"  # the server is sending CopyData (COPY ... TO STDOUT); ends with CopyDone or an error
    CLOSED = "closed"  # Terminate, CancelRequest, or the server ended the session


__all__ = ["State", "TransactionStatus"]
