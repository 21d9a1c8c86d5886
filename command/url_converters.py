"""Path converters the command app's URLs share (the API and the staff consoles)."""


class TrackingNo:
    """A tracking number's characters (20261122-0042). Anything else is a 404 before it reaches
    a query: PostgreSQL refuses NUL in text, so `incidents/%00` was a 500 there."""

    regex = "[0-9A-Za-z-]{1,20}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
