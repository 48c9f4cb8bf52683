#ifndef C_INTAKE_BUILD_INFO_H
#define C_INTAKE_BUILD_INFO_H

/// The commit the binaries were built from: INTAKE_COMMIT as the build defined it
/// (`swift build -Xcc -DINTAKE_COMMIT='"<sha>"'`, as the Dockerfile does), else "unknown".
const char *intake_build_commit(void);

#endif
