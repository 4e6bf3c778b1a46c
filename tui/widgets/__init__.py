"""Provides the app's widgets: the virtual table, the timeline, the chart, the status bar and modals."""
