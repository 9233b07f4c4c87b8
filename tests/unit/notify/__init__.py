"""Tests for tablekit.notify."""
