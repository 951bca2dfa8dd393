SELECT * FROM raw.order_items
