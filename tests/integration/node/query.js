// Runs queries with node `pg` on one connection and prints the results as JSON.
//
//   node query.js '{"connection": {...pg.Client config...}, "queries": [{"text": "...", "values": [...]}]}'
//
// Each query's result is {fields: [{name, dataTypeID}], rows: [[...]], rowCount} or, when it fails,
// {error: {code, message}}; later queries still run on the same connection.
"use strict";

const { Client } = require("pg");

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const client = new Client({ connectionTimeoutMillis: 20000, ...spec.connection });
  await client.connect();
  const results = [];
  try {
    for (const query of spec.queries) {
      try {
        const res = await client.query({ text: query.text, values: query.values || [], rowMode: "array" });
        results.push({
          fields: res.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
          rows: res.rows,
          rowCount: res.rowCount,
        });
      } catch (err) {
        results.push({ error: { code: err.code || null, message: err.message } });
      }
    }
  } finally {
    await client.end();
  }
  process.stdout.write(JSON.stringify({ results }) + "\n");
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
