"""Facts about PostgreSQL 16's built-in objects, as data: functions, type I/O, keywords."""
