// libfuzzy (ssdeep), from Debian's libfuzzy-dev: context-triggered piecewise hashes.
#include <fuzzy.h>
