"""Provides commit classification into the study's change types: rules, a local model, a label cache."""
