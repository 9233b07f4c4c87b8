"""The REST API v1: thin Litestar controllers, msgspec request structs, one error table."""
