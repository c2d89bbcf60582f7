// libpq, PostgreSQL's own C client (Debian libpq-dev): connection URLs and PG* variables, COPY, LISTEN/NOTIFY.
#include <libpq-fe.h>
