"""TableKit: a self-hostable low-code table platform."""
