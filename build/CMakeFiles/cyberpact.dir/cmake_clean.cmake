file(REMOVE_RECURSE
  "CMakeFiles/cyberpact.dir/src/main.c.o"
  "CMakeFiles/cyberpact.dir/src/main.c.o.d"
  "cyberpact"
  "cyberpact.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/cyberpact.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
