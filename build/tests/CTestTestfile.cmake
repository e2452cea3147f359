# CMake generated Testfile for 
# Source directory: /work/main/tests
# Build directory: /work/main/build/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test(api.sqlite "/usr/bin/python3" "-m" "pytest" "-q" "-p" "no:cacheprovider" "/work/main/tests/api")
set_tests_properties(api.sqlite PROPERTIES  ENVIRONMENT "CYBERPACT_BIN=/work/main/build/cyberpact;CP_TEST_STORE=sqlite;CP_SHARED_DATA=/work/main/../shared/data" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;35;add_test;/work/main/tests/CMakeLists.txt;0;")
add_test(api.postgresql "/usr/bin/python3" "-m" "pytest" "-q" "-p" "no:cacheprovider" "/work/main/tests/api")
set_tests_properties(api.postgresql PROPERTIES  ENVIRONMENT "CYBERPACT_BIN=/work/main/build/cyberpact;CP_TEST_STORE=postgresql;CP_SHARED_DATA=/work/main/../shared/data" SKIP_RETURN_CODE "77" _BACKTRACE_TRIPLES "/work/main/tests/CMakeLists.txt;39;add_test;/work/main/tests/CMakeLists.txt;0;")
