#ifndef QUARRY_CLIBPQ_SHIM_H
#define QUARRY_CLIBPQ_SHIM_H
// libpq has no variadic entry points that Quarry needs; this header only brings it in.
#include <libpq-fe.h>
#include <poll.h>
#endif
