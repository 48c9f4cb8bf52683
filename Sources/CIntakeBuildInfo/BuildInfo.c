// SwiftPM runs nothing at build time that could ask git, so the commit comes in as a compiler
// definition from whoever builds (the Dockerfile's INTAKE_COMMIT build argument). A build
// without one says "unknown" rather than guess. See docs/DEPLOYMENT.md, "Versions".
#include "CIntakeBuildInfo.h"

#ifndef INTAKE_COMMIT
#define INTAKE_COMMIT "unknown"
#endif

const char *intake_build_commit(void) { return INTAKE_COMMIT; }
