"""Fake servers the tests start on loopback (Ollama)."""
