"""Arrow Flight and Flight SQL: columns to pandas, ADBC and JDBC clients from the governed engine."""
