"""Errors a user can hit. Each message is one line saying what happened and what to do."""


class DossierError(Exception):
    """Base class: front ends print ``str(error)`` and exit non-zero, without a traceback."""


class ConfigError(DossierError):
    pass


class StoreError(DossierError):
    pass


class EmbeddingModelMismatch(StoreError):
    pass


class StoreBusy(StoreError):
    """Another ingest holds the store's write lock (and the caller chose not to wait)."""


class StoreDamaged(StoreError):
    """The store's files cannot be read as a store; the message names the file and the way out."""


class StoreUnavailable(StoreError):
    """The Chroma server could not be reached, or did not answer within the deadline."""


class ModelIntegrityError(DossierError):
    pass


class QuestionError(DossierError):
    pass


class FileRejected(DossierError):
    """A file that cannot be ingested; the message is the one-line reason."""


class EmbeddingServiceError(DossierError):
    pass


class FetchRefused(DossierError):
    """A link or feed that was not fetched or holds no article; the message is the one-line reason."""
