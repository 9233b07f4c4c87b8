"""Helpers shared by test suites (loopback servers, certificates)."""
