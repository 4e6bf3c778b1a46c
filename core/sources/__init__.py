"""Provides the adapters to remote sources: the Hugging Face Hub and git repositories."""
