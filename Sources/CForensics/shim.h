#ifndef EXTRIAGE_CFORENSICS_SHIM_H
#define EXTRIAGE_CFORENSICS_SHIM_H
#include <libevtx.h>
#include <libregf.h>
#include <libscca.h>
#include <libesedb.h>
#include <libewf.h>
#include <tsk/libtsk.h>
/* libvshadow reads a volume through a libbfio handle (ours reads through The Sleuth Kit). */
#include <libbfio.h>
#define LIBVSHADOW_HAVE_BFIO
#include <libvshadow.h>
#endif
