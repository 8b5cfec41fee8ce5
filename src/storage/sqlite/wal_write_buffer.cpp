#include "storage/sqlite/wal_write_buffer.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace todo::storage::sqlite {
namespace {

constexpr const char* kVfsName = "todo-wal-buffer";

// The default VFS, kept in our VFS's pAppData.
sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}

// An open WAL or database file: our methods first (SQLite reads pMethods from the start), then
// the default VFS's file object, which lives in the same allocation (szOsFile covers both). A
// database file has `passthrough` set and never buffers.
struct BufferedFile {
  sqlite3_file base;
  sqlite3_file* real;
  char* buffer;                 // kWalBufferBytes, allocated at the first buffered write
  sqlite3_int64 buffer_offset;  // where buffer[0] goes in the file
  unsigned buffered;            // bytes held
  bool passthrough;             // no powersafe overwrite: every write goes straight through
  const char* database;         // the database's path (the registry's key), owned
};

// The WAL files open in this process, by their database's path. Only the connection that
// holds a database's WAL write lock writes to its WAL, so when it releases that lock, any
// bytes still buffered for that database are its own and were never committed (a commit's
// xSync wrote them): they are dropped there, before anyone else can write the WAL. Without
// that, pages a rolled-back transaction had spilled would be written later, over frames
// another connection committed at the same offsets.
// Looked up by the path's characters (transparent hash and equality): a release of the WAL
// write lock, once per write transaction, builds no std::string.
struct PathHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view path) const noexcept {
    return std::hash<std::string_view>{}(path);
  }
};
struct Registry {
  std::mutex mutex;  // uncontended but for several connections' lock releases at once
  std::unordered_multimap<std::string, BufferedFile*, PathHash, std::equal_to<>> wal_files;
};

Registry& registry() {
  // Never destroyed, like the VFS registration it serves: a connection closed during the
  // process's exit still finds it.
  static Registry& r = *new Registry;
  return r;
}

void drop_uncommitted(const char* database) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto [first, last] = r.wal_files.equal_range(std::string_view(database));
  for (auto it = first; it != last; ++it)
    if (it->second->buffered != 0) it->second->buffered = 0;
}

BufferedFile* cast(sqlite3_file* file) {
  return reinterpret_cast<BufferedFile*>(file);
}

int flush(BufferedFile* f) {
  if (f->buffered == 0) return SQLITE_OK;
  // Kept until written: a failed write leaves them for the commit's xSync to try again (or
  // fail the commit), or for the lock release to drop.
  const int rc = f->real->pMethods->xWrite(f->real, f->buffer, static_cast<int>(f->buffered),
                                           f->buffer_offset);
  if (rc == SQLITE_OK) f->buffered = 0;
  return rc;
}

// What is still buffered at close was never committed (see Registry): dropped, not written.
int buffered_close(sqlite3_file* file) {
  BufferedFile* f = cast(file);
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    auto [first, last] = r.wal_files.equal_range(std::string_view(f->database));
    for (auto it = first; it != last; ++it)
      if (it->second == f) {
        r.wal_files.erase(it);
        break;
      }
  }
  f->buffered = 0;
  const int closed = f->real->pMethods->xClose(f->real);
  std::free(f->buffer);
  f->buffer = nullptr;
  std::free(const_cast<char*>(f->database));
  f->database = nullptr;
  return closed;
}

int buffered_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  BufferedFile* f = cast(file);
  if (f->buffered > 0 && offset < f->buffer_offset + f->buffered &&
      offset + amount > f->buffer_offset) {
    // An I/O error, never SQLITE_FULL: SQLite answers FULL in a statement by undoing that
    // statement only, and the transaction could then commit without these bytes.
    if (flush(f) != SQLITE_OK) return SQLITE_IOERR_READ;
  }
  return f->real->pMethods->xRead(f->real, out, amount, offset);
}

int buffered_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  BufferedFile* f = cast(file);
  if (f->passthrough) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  const auto n = static_cast<unsigned>(amount);
  const bool follows = f->buffered > 0 && offset == f->buffer_offset + f->buffered;
  if (follows && f->buffered + n <= kWalBufferBytes) {
    std::memcpy(f->buffer + f->buffered, data, n);
    f->buffered += n;
    return SQLITE_OK;
  }
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  if (n >= kWalBufferBytes) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  if (f->buffer == nullptr) {
    f->buffer = static_cast<char*>(std::malloc(kWalBufferBytes));
    if (f->buffer == nullptr) return f->real->pMethods->xWrite(f->real, data, amount, offset);
  }
  std::memcpy(f->buffer, data, n);
  f->buffer_offset = offset;
  f->buffered = n;
  return SQLITE_OK;
}

int buffered_truncate(sqlite3_file* file, sqlite3_int64 size) {
  BufferedFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xTruncate(f->real, size);
}

int buffered_sync(sqlite3_file* file, int flags) {
  BufferedFile* f = cast(file);
  if (int rc = flush(f); rc != SQLITE_OK) return rc;
  return f->real->pMethods->xSync(f->real, flags);
}

int buffered_file_size(sqlite3_file* file, sqlite3_int64* size) {
  BufferedFile* f = cast(file);
  if (flush(f) != SQLITE_OK) return SQLITE_IOERR_FSTAT;
  return f->real->pMethods->xFileSize(f->real, size);
}

int buffered_lock(sqlite3_file* file, int level) {
  return cast(file)->real->pMethods->xLock(cast(file)->real, level);
}

int buffered_unlock(sqlite3_file* file, int level) {
  return cast(file)->real->pMethods->xUnlock(cast(file)->real, level);
}

int buffered_check_reserved_lock(sqlite3_file* file, int* out) {
  return cast(file)->real->pMethods->xCheckReservedLock(cast(file)->real, out);
}

int buffered_file_control(sqlite3_file* file, int op, void* arg) {
  BufferedFile* f = cast(file);
  if (flush(f) != SQLITE_OK) return SQLITE_IOERR;
  return f->real->pMethods->xFileControl(f->real, op, arg);
}

int buffered_sector_size(sqlite3_file* file) {
  return cast(file)->real->pMethods->xSectorSize(cast(file)->real);
}

int buffered_device_characteristics(sqlite3_file* file) {
  return cast(file)->real->pMethods->xDeviceCharacteristics(cast(file)->real);
}

int buffered_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
  return cast(file)->real->pMethods->xShmMap(cast(file)->real, region, size, extend, out);
}

int buffered_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return cast(file)->real->pMethods->xShmLock(cast(file)->real, offset, n, flags);
}

void buffered_shm_barrier(sqlite3_file* file) {
  cast(file)->real->pMethods->xShmBarrier(cast(file)->real);
}

int buffered_shm_unmap(sqlite3_file* file, int delete_flag) {
  return cast(file)->real->pMethods->xShmUnmap(cast(file)->real, delete_flag);
}

int buffered_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  BufferedFile* f = cast(file);
  if (flush(f) != SQLITE_OK) return SQLITE_IOERR_READ;
  return f->real->pMethods->xFetch(f->real, offset, amount, out);
}

int buffered_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  return cast(file)->real->pMethods->xUnfetch(cast(file)->real, offset, page);
}

// The database file's xShmLock: releasing the WAL write lock (slot 0, wal.c WAL_WRITE_LOCK)
// first drops what this process still buffers for the database's WAL (see Registry).
int main_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  BufferedFile* f = cast(file);
  if (flags == (SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE) && offset <= 0 && 0 < offset + n)
    drop_uncommitted(f->database);
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

// Version 3 methods; the real file's own version decides which of them SQLite calls, since
// pMethods->iVersion is copied from it at open (see open_file).
const sqlite3_io_methods kBufferedMethods[4] = {
    {},
    {1, buffered_close, buffered_read, buffered_write, buffered_truncate, buffered_sync,
     buffered_file_size, buffered_lock, buffered_unlock, buffered_check_reserved_lock,
     buffered_file_control, buffered_sector_size, buffered_device_characteristics, nullptr, nullptr,
     nullptr, nullptr, nullptr, nullptr},
    {2, buffered_close, buffered_read, buffered_write, buffered_truncate, buffered_sync,
     buffered_file_size, buffered_lock, buffered_unlock, buffered_check_reserved_lock,
     buffered_file_control, buffered_sector_size, buffered_device_characteristics, buffered_shm_map,
     buffered_shm_lock, buffered_shm_barrier, buffered_shm_unmap, nullptr, nullptr},
    {3, buffered_close, buffered_read, buffered_write, buffered_truncate, buffered_sync,
     buffered_file_size, buffered_lock, buffered_unlock, buffered_check_reserved_lock,
     buffered_file_control, buffered_sector_size, buffered_device_characteristics, buffered_shm_map,
     buffered_shm_lock, buffered_shm_barrier, buffered_shm_unmap, buffered_fetch, buffered_unfetch},
};

// The database file's xFileControl: refuses `PRAGMA locking_mode` other than NORMAL. In
// exclusive locking mode SQLite takes no shared-memory lock for the WAL (wal.c,
// walLockExclusive returns early), so main_shm_lock never sees a rolled-back transaction end,
// and its spilled pages could later be written over frames another connection committed after
// the mode was left. Any other file control goes through.
int main_file_control(sqlite3_file* file, int op, void* arg) {
  if (op == SQLITE_FCNTL_PRAGMA) {
    auto** args = static_cast<char**>(arg);  // [0] error out, [1] name, [2] value or null
    if (args[1] != nullptr && sqlite3_stricmp(args[1], "locking_mode") == 0 && args[2] != nullptr &&
        sqlite3_stricmp(args[2], "normal") != 0) {
      args[0] = sqlite3_mprintf(
          "locking_mode=%s is not supported by the todo-wal-buffer VFS (only NORMAL)", args[2]);
      return SQLITE_ERROR;
    }
  }
  return cast(file)->real->pMethods->xFileControl(cast(file)->real, op, arg);
}

// The database file's methods: the buffered file's (which pass everything through for a file
// with `passthrough` set and nothing buffered) but for xShmLock and xFileControl.
const sqlite3_io_methods* main_methods(int version) {
  static const auto table = [] {
    std::array<sqlite3_io_methods, 4> t{};
    for (int v = 1; v <= 3; ++v) {
      t[v] = kBufferedMethods[v];
      t[v].xFileControl = main_file_control;
      if (v >= 2) t[v].xShmLock = main_shm_lock;
    }
    return t;
  }();
  return &table[version];
}

// Files opened as a database (SQLITE_OPEN_MAIN_DB) or its WAL (SQLITE_OPEN_WAL) are wrapped;
// journals and temporary files are the default VFS's own.
int open_file(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* real = real_vfs(vfs);
  const bool wal = (flags & SQLITE_OPEN_WAL) != 0;
  if (!wal && (flags & SQLITE_OPEN_MAIN_DB) == 0)
    return real->xOpen(real, name, file, flags, out_flags);
  BufferedFile* f = cast(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(f + 1);
  f->buffer = nullptr;
  f->buffer_offset = 0;
  f->buffered = 0;
  f->passthrough = true;
  f->database = nullptr;
  const int rc = real->xOpen(real, name, f->real, flags, out_flags);
  if (rc != SQLITE_OK) {
    // SQLite calls no method of a file whose pMethods is null, so close the real one here.
    if (f->real->pMethods != nullptr) f->real->pMethods->xClose(f->real);
    return rc;
  }
  if (f->real->pMethods == nullptr) return SQLITE_CANTOPEN;
  const char* database = name != nullptr ? sqlite3_filename_database(name) : nullptr;
  f->database = database != nullptr ? strdup(database) : nullptr;
  if (f->database == nullptr) {
    f->real->pMethods->xClose(f->real);
    return name != nullptr ? SQLITE_NOMEM : SQLITE_CANTOPEN;
  }
  const int version = std::clamp(f->real->pMethods->iVersion, 1, 3);
  if (!wal) {
    f->base.pMethods = main_methods(version);
    return SQLITE_OK;
  }
  // Without powersafe overwrite, SQLite pads a commit to a sector and writes the tail of the
  // last padding frame after the sync that commits it (wal.c, walWriteToLog): nothing may be
  // held back then.
  // wal.c asks the database file, whose flag comes from the `psow` URI parameter (default
  // SQLITE_POWERSAFE_OVERWRITE, 1); the WAL's file name carries the same parameters.
  f->passthrough =
      sqlite3_uri_boolean(name, "psow", 1) == 0 ||
      (f->real->pMethods->xDeviceCharacteristics(f->real) & SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0;
  {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.wal_files.emplace(f->database, f);
  }
  f->base.pMethods = &kBufferedMethods[version];
  return SQLITE_OK;
}

// Everything else is the default VFS's, called with the default VFS object (the unix VFS
// reads its own pAppData and mxPathname).
int delete_file(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
int full_pathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, n, out);
}
void* dl_open(sqlite3_vfs* vfs, const char* name) {
  return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
}
void dl_error(sqlite3_vfs* vfs, int n, char* out) {
  real_vfs(vfs)->xDlError(real_vfs(vfs), n, out);
}
void (*dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void dl_close(sqlite3_vfs* vfs, void* handle) {
  real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
}
int randomness(sqlite3_vfs* vfs, int n, char* out) {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), n, out);
}
int sleep_for(sqlite3_vfs* vfs, int microseconds) {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), microseconds);
}
int current_time(sqlite3_vfs* vfs, double* out) {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int last_error(sqlite3_vfs* vfs, int n, char* out) {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), n, out);
}
int current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

}  // namespace

const char* wal_write_buffer_vfs() {
  // Registered once and never changed or freed: SQLite keeps a pointer to it for the
  // process's lifetime.
  static sqlite3_vfs vfs{};
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
    if (real == nullptr) throw std::runtime_error("SQLite has no default VFS");
    vfs.iVersion = real->iVersion < 2 ? real->iVersion : 2;
    vfs.szOsFile = static_cast<int>(sizeof(BufferedFile)) + real->szOsFile;
    vfs.mxPathname = real->mxPathname;
    vfs.zName = kVfsName;
    vfs.pAppData = real;
    vfs.xOpen = open_file;
    vfs.xDelete = delete_file;
    vfs.xAccess = access;
    vfs.xFullPathname = full_pathname;
    vfs.xDlOpen = dl_open;
    vfs.xDlError = dl_error;
    vfs.xDlSym = dl_sym;
    vfs.xDlClose = dl_close;
    vfs.xRandomness = randomness;
    vfs.xSleep = sleep_for;
    vfs.xCurrentTime = current_time;
    vfs.xGetLastError = last_error;
    vfs.xCurrentTimeInt64 = current_time_int64;
    if (int rc = sqlite3_vfs_register(&vfs, 0); rc != SQLITE_OK)
      throw std::runtime_error(std::string("cannot register the SQLite VFS: ") +
                               sqlite3_errstr(rc));
  });
  return kVfsName;
}

}  // namespace todo::storage::sqlite
