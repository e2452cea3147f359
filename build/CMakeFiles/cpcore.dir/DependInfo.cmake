
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/audit/audit.c" "CMakeFiles/cpcore.dir/src/audit/audit.c.o" "gcc" "CMakeFiles/cpcore.dir/src/audit/audit.c.o.d"
  "/work/main/src/base/config.c" "CMakeFiles/cpcore.dir/src/base/config.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/config.c.o.d"
  "/work/main/src/base/crypto.c" "CMakeFiles/cpcore.dir/src/base/crypto.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/crypto.c.o.d"
  "/work/main/src/base/json.c" "CMakeFiles/cpcore.dir/src/base/json.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/json.c.o.d"
  "/work/main/src/base/log.c" "CMakeFiles/cpcore.dir/src/base/log.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/log.c.o.d"
  "/work/main/src/base/status.c" "CMakeFiles/cpcore.dir/src/base/status.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/status.c.o.d"
  "/work/main/src/base/timeutil.c" "CMakeFiles/cpcore.dir/src/base/timeutil.c.o" "gcc" "CMakeFiles/cpcore.dir/src/base/timeutil.c.o.d"
  "/work/main/src/cli/backup.c" "CMakeFiles/cpcore.dir/src/cli/backup.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/backup.c.o.d"
  "/work/main/src/cli/common.c" "CMakeFiles/cpcore.dir/src/cli/common.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/common.c.o.d"
  "/work/main/src/cli/demo.c" "CMakeFiles/cpcore.dir/src/cli/demo.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/demo.c.o.d"
  "/work/main/src/cli/init.c" "CMakeFiles/cpcore.dir/src/cli/init.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/init.c.o.d"
  "/work/main/src/cli/member.c" "CMakeFiles/cpcore.dir/src/cli/member.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/member.c.o.d"
  "/work/main/src/cli/serve.c" "CMakeFiles/cpcore.dir/src/cli/serve.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/serve.c.o.d"
  "/work/main/src/cli/verify.c" "CMakeFiles/cpcore.dir/src/cli/verify.c.o" "gcc" "CMakeFiles/cpcore.dir/src/cli/verify.c.o.d"
  "/work/main/src/http/auth.c" "CMakeFiles/cpcore.dir/src/http/auth.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/auth.c.o.d"
  "/work/main/src/http/authz.c" "CMakeFiles/cpcore.dir/src/http/authz.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/authz.c.o.d"
  "/work/main/src/http/metrics.c" "CMakeFiles/cpcore.dir/src/http/metrics.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/metrics.c.o.d"
  "/work/main/src/http/ratelimit.c" "CMakeFiles/cpcore.dir/src/http/ratelimit.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/ratelimit.c.o.d"
  "/work/main/src/http/request.c" "CMakeFiles/cpcore.dir/src/http/request.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/request.c.o.d"
  "/work/main/src/http/router.c" "CMakeFiles/cpcore.dir/src/http/router.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/router.c.o.d"
  "/work/main/src/http/routes.c" "CMakeFiles/cpcore.dir/src/http/routes.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/routes.c.o.d"
  "/work/main/src/http/server.c" "CMakeFiles/cpcore.dir/src/http/server.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/server.c.o.d"
  "/work/main/src/http/system.c" "CMakeFiles/cpcore.dir/src/http/system.c.o" "gcc" "CMakeFiles/cpcore.dir/src/http/system.c.o.d"
  "/work/main/src/members/actor.c" "CMakeFiles/cpcore.dir/src/members/actor.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/actor.c.o.d"
  "/work/main/src/members/auth.c" "CMakeFiles/cpcore.dir/src/members/auth.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/auth.c.o.d"
  "/work/main/src/members/bootstrap.c" "CMakeFiles/cpcore.dir/src/members/bootstrap.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/bootstrap.c.o.d"
  "/work/main/src/members/constituency.c" "CMakeFiles/cpcore.dir/src/members/constituency.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/constituency.c.o.d"
  "/work/main/src/members/cursor.c" "CMakeFiles/cpcore.dir/src/members/cursor.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/cursor.c.o.d"
  "/work/main/src/members/http.c" "CMakeFiles/cpcore.dir/src/members/http.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/http.c.o.d"
  "/work/main/src/members/members.c" "CMakeFiles/cpcore.dir/src/members/members.c.o" "gcc" "CMakeFiles/cpcore.dir/src/members/members.c.o.d"
  "/work/main/src/store/db.c" "CMakeFiles/cpcore.dir/src/store/db.c.o" "gcc" "CMakeFiles/cpcore.dir/src/store/db.c.o.d"
  "/work/main/src/store/meta.c" "CMakeFiles/cpcore.dir/src/store/meta.c.o" "gcc" "CMakeFiles/cpcore.dir/src/store/meta.c.o.d"
  "/work/main/src/store/migrate.c" "CMakeFiles/cpcore.dir/src/store/migrate.c.o" "gcc" "CMakeFiles/cpcore.dir/src/store/migrate.c.o.d"
  "/work/main/src/store/schema.c" "CMakeFiles/cpcore.dir/src/store/schema.c.o" "gcc" "CMakeFiles/cpcore.dir/src/store/schema.c.o.d"
  "/work/main/src/store/sqlite.c" "CMakeFiles/cpcore.dir/src/store/sqlite.c.o" "gcc" "CMakeFiles/cpcore.dir/src/store/sqlite.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
