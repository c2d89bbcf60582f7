#ifndef TASKMAP_CSPATIALITE_SHIM_H
#define TASKMAP_CSPATIALITE_SHIM_H
#include <sqlite3.h>
#include <spatialite.h>

/* SQLITE_TRANSIENT is a macro cast Swift cannot import. */
static inline int tm_bind_text(sqlite3_stmt *s, int i, const char *z, int n) {
    return sqlite3_bind_text(s, i, z, n, SQLITE_TRANSIENT);
}
static inline int tm_bind_blob(sqlite3_stmt *s, int i, const void *z, int n) {
    return sqlite3_bind_blob(s, i, z, n, SQLITE_TRANSIENT);
}
#endif
