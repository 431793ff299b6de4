"""Credentials for afterword's backends; never imports the daemon."""
