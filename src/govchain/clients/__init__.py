"""Typed clients, one per govchain contract; shared plumbing lives in :mod:`.base`."""
