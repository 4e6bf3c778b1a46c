"""Provides the headless data behind the app's screens: families table, timeline, commit lists."""
