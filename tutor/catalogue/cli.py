"""What the command line prints: key -> (English, Chinese)."""

MESSAGES: dict[str, tuple[str, str]] = {
}
