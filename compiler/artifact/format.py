"""Constants of the .scc format (docs/model-format.md)."""
MAGIC = b"SCCMODEL"
VERSION_MAJOR, VERSION_MINOR = 1, 0
HEADER_SIZE = 64
BLOB_ALIGN = 64
NO_TENSOR = 0xFFFFFFFF
DTYPE_F32 = 1
ATTR_INTS, ATTR_FLOATS, ATTR_STRING = 1, 2, 3
ATTR_CODES = {"ints": ATTR_INTS, "floats": ATTR_FLOATS, "string": ATTR_STRING}
ATTR_NAMES = {v: k for k, v in ATTR_CODES.items()}
MAX_STR = 4096
MAX_RANK = 8
