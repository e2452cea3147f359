file(REMOVE_RECURSE
  "CMakeFiles/cpcore.dir/src/audit/audit.c.o"
  "CMakeFiles/cpcore.dir/src/audit/audit.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/config.c.o"
  "CMakeFiles/cpcore.dir/src/base/config.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/crypto.c.o"
  "CMakeFiles/cpcore.dir/src/base/crypto.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/json.c.o"
  "CMakeFiles/cpcore.dir/src/base/json.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/log.c.o"
  "CMakeFiles/cpcore.dir/src/base/log.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/status.c.o"
  "CMakeFiles/cpcore.dir/src/base/status.c.o.d"
  "CMakeFiles/cpcore.dir/src/base/timeutil.c.o"
  "CMakeFiles/cpcore.dir/src/base/timeutil.c.o.d"
  "CMakeFiles/cpcore.dir/src/store/db.c.o"
  "CMakeFiles/cpcore.dir/src/store/db.c.o.d"
  "CMakeFiles/cpcore.dir/src/store/migrate.c.o"
  "CMakeFiles/cpcore.dir/src/store/migrate.c.o.d"
  "CMakeFiles/cpcore.dir/src/store/schema.c.o"
  "CMakeFiles/cpcore.dir/src/store/schema.c.o.d"
  "CMakeFiles/cpcore.dir/src/store/sqlite.c.o"
  "CMakeFiles/cpcore.dir/src/store/sqlite.c.o.d"
  "libcpcore.a"
  "libcpcore.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cpcore.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
