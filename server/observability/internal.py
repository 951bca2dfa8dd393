"""Internal errors: the client gets a request id, the log gets a bounded traceback under the same id.

A bug must not reach a client as a traceback (file paths, engine SQL) and must not
flood the log either: a 3,000-deep parenthesised expression once wrote about
685 KB of recursion frames per query. The log keeps the outermost and innermost
frames and at most :data:`MAX_LOG_CHARS` characters.
"""

from __future__ import annotations

import logging
import traceback
import uuid

from server.errors import InternalError, OutOfMemory, QuiverError, StatementTooComplex

MAX_LOG_CHARS = 16 * 1024
FRAMES_KEPT = 12  # at each end of the stack


def bounded_traceback(error: BaseException) -> str:
    """The traceback of ``error`` with long stacks cut in the middle and the text capped."""
    frames = traceback.extract_tb(error.__traceback__)
    if len(frames) > 2 * FRAMES_KEPT:
        skipped = len(frames) - 2 * FRAMES_KEPT
        kept = traceback.StackSummary.from_list([*frames[:FRAMES_KEPT], *frames[-FRAMES_KEPT:]])
        lines = [*kept.format()[:FRAMES_KEPT], f"  ... {skipped} frames omitted ...\n", *kept.format()[FRAMES_KEPT:]]
    else:
        lines = traceback.StackSummary.from_list(frames).format()
    message = "".join(traceback.format_exception_only(type(error), error))
    text = "Traceback (most recent call last):\n" + "".join(lines) + message[:4096]
    detail = getattr(error, "detail", None)
    if detail:  # an engine failure's own text: for the log only, never the client
        text += f"DETAIL: {str(detail)[:4096]}\n"
    if len(text) > MAX_LOG_CHARS:
        text = text[: MAX_LOG_CHARS // 2] + "\n  ... cut ...\n" + text[-MAX_LOG_CHARS // 2 :]
    return text


def internal_error(logger: logging.Logger, error: BaseException, what: str = "internal error") -> InternalError:
    """Log ``error`` under a new request id; return the error the client may see (the id only)."""
    request_id = uuid.uuid4().hex[:12]
    logger.error("%s (request %s)\n%s", what, request_id, bounded_traceback(error))
    return InternalError(f"internal error (request id {request_id})")


def known_condition(error: BaseException) -> QuiverError | None:
    """The typed error for a failure that is the statement's fault rather than a bug, else None.

    Recursion past Python's limit anywhere (parse, compile, render) means the statement is
    nested too deeply: 54001, as PostgreSQL answers when its stack runs out.
    """
    if isinstance(error, RecursionError):
        return StatementTooComplex("statement is too complex", hint="Nest expressions or subqueries less deeply.")
    if isinstance(error, MemoryError):
        return OutOfMemory("out of memory")
    return None


def unexpected_error(logger: logging.Logger, error: BaseException) -> QuiverError:
    """What the client gets for an exception that is not a QuiverError: its known condition, or an id."""
    known = known_condition(error)
    if known is not None:
        logger.warning("%s (%s) from %s", known.message, known.sqlstate.value, type(error).__name__)
        return known
    return internal_error(logger, error)
