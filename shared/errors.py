"""Errors that tell the message plumbing what to do with a failed message."""


class PermanentError(Exception):
    """Retrying cannot help (bad data, a rule the message breaks): dead-letter it with this reason."""


class TransientError(Exception):
    """Something outside is not ready yet (a database, a broker, a peer): retry with backoff."""
