#ifndef EXTRIAGE_CARCHIVE_SHIM_H
#define EXTRIAGE_CARCHIVE_SHIM_H
#include <archive.h>
#include <archive_entry.h>
#endif
