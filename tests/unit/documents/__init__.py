"""Tests for tablekit.documents."""
