// Drives Debian's pgJDBC driver against a PostgreSQL-wire server and prints what it saw as JSON.
//
// Compiled and run by tests/integration/clients.py:
//   java -cp CLASSES:/usr/share/java/postgresql.jar QuiverJdbcCheck URL USER PASSWORD [--option value]...
// Options (each section runs only when its option is given):
//   --schema S        DatabaseMetaData.getSchemas(), getTables(null, S, "%", null)
//   --table T         getColumns(null, S, T, "%"), getPrimaryKeys(null, S, T)
//   --prepared SQL    a PreparedStatement; parameters from --param TYPE:VALUE (string, int, long, decimal, date)
//   --cursor SQL      autocommit off, setFetchSize(--fetch-size, default 1000): count and checksum every row,
//                     and run another query on the same connection while the cursor's portal is suspended
//   --error SQL       a statement expected to fail, then SELECT 1 on the same connection
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

public final class QuiverJdbcCheck {
    private QuiverJdbcCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: QuiverJdbcCheck URL USER PASSWORD [--option value]...");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        List<String> params = new ArrayList<>();
        for (int i = 3; i + 1 < args.length; i += 2) {
            if (args[i].equals("--param")) {
                params.add(args[i + 1]);
            } else {
                options.put(args[i].substring(2), args[i + 1]);
            }
        }
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        props.setProperty("connectTimeout", "20");
        props.setProperty("socketTimeout", "120");
        Map<String, Object> out = new LinkedHashMap<>();
        try (Connection conn = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData meta = conn.getMetaData();
            out.put("product", meta.getDatabaseProductName());
            out.put("version", meta.getDatabaseProductVersion());
            out.put("major", meta.getDatabaseMajorVersion());
            String schema = options.get("schema");
            if (schema != null) {
                out.put("schemas", rows(meta.getSchemas(), "TABLE_SCHEM"));
                out.put("tables", rows(meta.getTables(null, schema, "%", null),
                        "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"));
                String table = options.get("table");
                if (table != null) {
                    out.put("columns", rows(meta.getColumns(null, schema, table, "%"),
                            "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "ORDINAL_POSITION", "NULLABLE", "REMARKS"));
                    out.put("primary_keys", rows(meta.getPrimaryKeys(null, schema, table),
                            "COLUMN_NAME", "KEY_SEQ", "PK_NAME"));
                }
            }
            String prepared = options.get("prepared");
            if (prepared != null) {
                out.put("prepared", prepared(conn, prepared, params));
            }
            String cursor = options.get("cursor");
            if (cursor != null) {
                int fetchSize = Integer.parseInt(options.getOrDefault("fetch-size", "1000"));
                out.put("cursor", cursor(conn, cursor, fetchSize));
            }
            String error = options.get("error");
            if (error != null) {
                out.put("error", error(conn, error));
            }
        }
        System.out.println(json(out));
    }

    /** Every row of a metadata result set, keeping only the named columns (as strings). */
    private static List<Object> rows(ResultSet rs, String... columns) throws SQLException {
        List<Object> result = new ArrayList<>();
        try (rs) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (String column : columns) {
                    row.put(column, rs.getString(column));
                }
                result.add(row);
            }
        }
        return result;
    }

    private static Map<String, Object> prepared(Connection conn, String sql, List<String> params) throws SQLException {
        Map<String, Object> result = new LinkedHashMap<>();
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            for (int i = 0; i < params.size(); i++) {
                String spec = params.get(i);
                int colon = spec.indexOf(':');
                String type = spec.substring(0, colon);
                String value = spec.substring(colon + 1);
                switch (type) {
                    case "string" -> ps.setString(i + 1, value);
                    case "int" -> ps.setInt(i + 1, Integer.parseInt(value));
                    case "long" -> ps.setLong(i + 1, Long.parseLong(value));
                    case "decimal" -> ps.setBigDecimal(i + 1, new BigDecimal(value));
                    case "date" -> ps.setDate(i + 1, Date.valueOf(value));
                    default -> throw new IllegalArgumentException("unknown parameter type " + type);
                }
            }
            // Six runs: pgJDBC switches to a named server-side statement after prepareThreshold (5) uses;
            // running it more than once checks the same statement answers the same.
            List<Object> first = null;
            for (int run = 0; run < 6; run++) {
                List<Object> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    if (run == 0) {
                        List<Object> columns = new ArrayList<>();
                        for (int c = 1; c <= md.getColumnCount(); c++) {
                            Map<String, Object> column = new LinkedHashMap<>();
                            column.put("label", md.getColumnLabel(c));
                            column.put("type_name", md.getColumnTypeName(c));
                            column.put("sql_type", md.getColumnType(c));
                            columns.add(column);
                        }
                        result.put("columns", columns);
                    }
                    while (rs.next()) {
                        List<Object> row = new ArrayList<>();
                        for (int c = 1; c <= md.getColumnCount(); c++) {
                            row.add(rs.getString(c));
                        }
                        rows.add(row);
                    }
                }
                if (first == null) {
                    first = rows;
                } else if (!first.equals(rows)) {
                    result.put("mismatch_on_run", run);
                }
            }
            result.put("rows", first);
        }
        return result;
    }

    private static Map<String, Object> cursor(Connection conn, String sql, int fetchSize) throws SQLException {
        Map<String, Object> result = new LinkedHashMap<>();
        conn.setAutoCommit(false);
        long count = 0;
        long sum1 = 0;
        long sum2 = 0;
        Map<String, Long> third = new TreeMap<>();
        List<Object> first = null;
        List<Object> last = null;
        Object interleaved = null;
        long start = System.nanoTime();
        try (Statement st = conn.createStatement()) {
            st.setFetchSize(fetchSize);
            try (ResultSet rs = st.executeQuery(sql)) {
                int width = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    count++;
                    sum1 += rs.getLong(1);
                    if (width > 1) {
                        sum2 += rs.getLong(2);
                    }
                    if (width > 2) {
                        third.merge(String.valueOf(rs.getString(3)), 1L, Long::sum);
                    }
                    List<Object> row = new ArrayList<>();
                    for (int c = 1; c <= width; c++) {
                        row.add(rs.getString(c));
                    }
                    if (first == null) {
                        first = row;
                    }
                    last = row;
                    if (count == fetchSize / 2) {
                        // The cursor's portal is suspended now: another statement on the same connection.
                        try (Statement other = conn.createStatement(); ResultSet o = other.executeQuery("SELECT 1")) {
                            o.next();
                            interleaved = o.getString(1);
                        }
                    }
                }
            }
        }
        conn.commit();
        conn.setAutoCommit(true);
        result.put("rows", count);
        result.put("sum1", count == 0 ? "0" : Long.toString(sum1));
        result.put("sum2", Long.toString(sum2));
        result.put("third", third);
        result.put("first", first);
        result.put("last", last);
        result.put("interleaved", interleaved);
        result.put("seconds", (System.nanoTime() - start) / 1e9);
        return result;
    }

    private static Map<String, Object> error(Connection conn, String sql) throws SQLException {
        Map<String, Object> result = new LinkedHashMap<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            result.put("sqlstate", null);
        } catch (SQLException e) {
            result.put("sqlstate", e.getSQLState());
            result.put("message", e.getMessage());
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            rs.next();
            result.put("after", rs.getString(1));
        }
        return result;
    }

    private static String json(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean firstEntry = true;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!firstEntry) {
                    sb.append(',');
                }
                firstEntry = false;
                write(sb, String.valueOf(entry.getKey()));
                sb.append(':');
                write(sb, entry.getValue());
            }
            sb.append('}');
        } else if (value instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(sb, list.get(i));
            }
            sb.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            sb.append(value);
        } else {
            String s = value.toString();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (ch < 0x20) {
                            sb.append(String.format("\\u%04x", (int) ch));
                        } else {
                            sb.append(ch);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }
}
