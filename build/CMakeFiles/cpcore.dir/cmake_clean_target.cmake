file(REMOVE_RECURSE
  "libcpcore.a"
)
