#pragma once
// A SQLite VFS that gathers the writes to a WAL file: one write(2) per commit of up to 15
// pages, instead of two per page.
//
// SQLite writes each WAL frame as two writes, its 24-byte header then its page (wal.c,
// walWriteOneFrame), and a commit of n pages makes 2n `pwrite` calls, each a trip through
// the kernel's write path for a range that straddles two page-cache pages. Profiled on
// SQLite creates, those calls were ~11 % of the server's CPU; with this VFS, 0.65 write calls
// per create instead of 4.6 and ~6 % more creates/s (bench/RESULTS.md, issue 16).
// This VFS wraps the platform's default one ("unix") and, for files opened as a WAL
// (SQLITE_OPEN_WAL) only, keeps contiguous writes in a buffer (at most kWalBufferBytes) and
// writes them with one `pwrite` when anything needs them on disk or in the file:
// xSync, xTruncate, xFileSize, xClose, xFileControl, xFetch, a read that overlaps them, a
// write that does not follow on, or a full buffer. Every other file (the database, its
// journal, temporary files) is the default VFS's own.
//
// Why it keeps SQLite's guarantees -- only with `synchronous=FULL`, which every connection of
// sqlite::Handle sets (with NORMAL a commit makes no xSync, and other connections would be told
// of frames still in the buffer): a commit ends with xSync of the
// WAL, which writes the buffer before the fsync, and the wal-index (shared memory) is updated
// only after that, so no other connection can look for a frame still in a buffer; a write
// error met when the buffer is written is returned by the call that wrote it (the xSync of the
// commit: SQLite then fails the commit). Frames lost in a crash before xSync were never
// committed, as without the buffer on a power cut. No SQLite package or library offers this;
// the VFS interface is SQLite's documented way (https://sqlite.org/vfs.html).
//
// Threads: the VFS object is registered once per process (std::call_once) and is then
// read-only; a buffer belongs to one open file, which SQLite uses from one thread at a time.

namespace todo::storage::sqlite {

// 64 KiB, 15 frames of 4 KiB pages: the unix VFS writes at most 128 KiB - 1 bytes per call
// (os_unix.c, seekAndWriteFd masks the length with 0x1ffff; more is reported as disk full).
inline constexpr unsigned kWalBufferBytes = 64U << 10;

// Registers the VFS (once; not as the default) and returns its name for sqlite3_open_v2.
// Throws std::runtime_error when SQLite has no default VFS or refuses the registration.
const char* wal_write_buffer_vfs();

}  // namespace todo::storage::sqlite
