"""Provides the app's screens: families, family, commit, dashboard, help and modals."""
