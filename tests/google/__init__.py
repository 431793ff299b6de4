"""Gmail, Google Calendar and Google OAuth, against the local emulator."""
