"""Byte layouts of the WASI Preview 1 structs in guest memory (little-endian, wasm32)."""

import struct

IOVEC = struct.Struct("<II")  # buf, buf_len
FDSTAT = struct.Struct("<BxHxxxxQQ")  # filetype, flags, rights_base, rights_inheriting
FILESTAT = struct.Struct("<QQBxxxxxxxQQQQQ")  # dev, ino, filetype, nlink, size, atim, mtim, ctim
DIRENT = struct.Struct("<QQIBxxx")  # d_next, d_ino, d_namlen, d_type
PRESTAT = struct.Struct("<BxxxI")  # tag, pr_name_len
SUBSCRIPTION_SIZE = 48
SUBSCRIPTION_HEAD = struct.Struct("<QB")  # userdata, tag (union body at offset 16)
SUBSCRIPTION_CLOCK = struct.Struct("<IxxxxQQH")  # id, timeout, precision, flags (at offset 16)
SUBSCRIPTION_FD = struct.Struct("<I")  # file_descriptor (at offset 16)
EVENT = struct.Struct("<QHBxxxxxQHxxxxxx")  # userdata, error, type, nbytes, flags
U32 = struct.Struct("<I")
U64 = struct.Struct("<Q")

assert FDSTAT.size == 24 and FILESTAT.size == 64 and DIRENT.size == 24 and PRESTAT.size == 8
assert EVENT.size == 32 and SUBSCRIPTION_CLOCK.size == 26
