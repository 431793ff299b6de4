"""References: asking the people who recommend me to speak up, rarely, and thanking them."""
