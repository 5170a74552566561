"""Source adapters: one module per upstream service, plus the registry that names them."""
