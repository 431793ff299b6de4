"""Local stand-ins for remote services (the Google APIs), served on loopback."""
