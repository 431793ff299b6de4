"""Tests against real servers (Dovecot, Radicale) started by session fixtures."""
