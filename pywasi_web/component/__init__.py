"""The component model in Python, above the core engines: parse, canonical ABI, instantiate."""
