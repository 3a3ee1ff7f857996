"""Desktop core without widgets: protocol client, local store, calls, services. Never imports Qt."""
