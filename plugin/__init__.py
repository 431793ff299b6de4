"""afterword's daemon: calendar events → interviews → notes → drafts → sent check → warnings."""
