#ifndef EXTRIAGE_CFORENSICS_SHIM_H
#define EXTRIAGE_CFORENSICS_SHIM_H
#include <libevtx.h>
#include <libregf.h>
#include <libscca.h>
#include <libesedb.h>
#include <libewf.h>
#include <tsk/libtsk.h>
#endif
