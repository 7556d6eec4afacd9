"""The Chroma side of Dossier, by concern:

* ``client``   opening Chroma (embedded or server), deadlines, retries, one-line errors;
* ``damage``   telling a damaged or read-only embedded store apart, moving it aside;
* ``revision`` the manifest and the revision / dirty / written protocol, the manifest cache;
* ``layout``   how values are laid out as records (llama-index's node layout, ids);
* ``records``  the rows written for a batch of documents;
* ``store``    reads and writes (``Store``), the reset built beside the old store;
* ``garbage``  collecting what a dead writer left uncommitted;
* ``lock``     the ingest lock (a file lock, or a lease record in a server's store);
* ``warm``     loading the vector indexes in the background.
"""

from ..models import SentenceRecord
from .records import PendingDocument
from .store import Store, repair
from .warm import Prewarm, prewarm

__all__ = ["PendingDocument", "Prewarm", "SentenceRecord", "Store", "prewarm", "repair"]
