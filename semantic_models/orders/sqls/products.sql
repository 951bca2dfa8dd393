SELECT * FROM raw.products
