"""fsgrant's version, written once: the package (``fsgrant.__version__``), the
command line (``fsgrant --version``), the return's stamp and the packaging read it
from here, so that nothing inside fsgrant imports the public API to learn it."""

__version__ = "0.1.0"
