"""Calendar sources: each turns one kind of calendar into CalendarEvents."""
