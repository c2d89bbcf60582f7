#ifndef TASKMAP_CPROJ_SHIM_H
#define TASKMAP_CPROJ_SHIM_H
#include <proj.h>
#endif
