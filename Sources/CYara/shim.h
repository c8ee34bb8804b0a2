#ifndef EXTRIAGE_CYARA_SHIM_H
#define EXTRIAGE_CYARA_SHIM_H
#include <yara.h>
#endif
