"""Audit records, traces and logs, emitted through OpenTelemetry and a JSON-lines file."""
